/**
 * The environment variables Mastodon reads, so that the renderer never
 * writes a name Mastodon ignores, and never writes one that was removed.
 *
 * Sources, checked 2026-11-24:
 *  - upstream main at 2f40549d41d77bd4941214e1915074d2e9113b80 (2026-08-21, 4.8.0-alpha.1),
 *    read from the mirror github.com/mjankowski/mastodon because mastodon/mastodon's own
 *    snapshot was too large to fetch. Names come from `git grep` for ENV[...], ENV.fetch,
 *    ENV.key? and process.env in app/, config/, lib/ and streaming/, plus the prefixed
 *    names built in lib/mastodon/redis_configuration.rb.
 *  - release tags v4.3.0, v4.4.0, v4.5.0 and v4.6.0 (upstream files in glitch-soc/mastodon),
 *    used for the version bounds below.
 *  - https://docs.joinmastodon.org/admin/config/ (mastodon/documentation at 2903485da54a,
 *    content/en/admin/config.md).
 * Only names found in that source or those docs are listed here. Names used only in
 * development or tests (CI, HEROKU, VAGRANT, REMOTE_DEV, DEV, PROD, TEST_ENV_NUMBER,
 * TEST_DATA_*, LOCAL_HTTPS, DISABLE_FORGERY_REQUEST_PROTECTION, BACKTRACE,
 * SECRET_KEY_BASE_DUMMY, ANNOTATERB_*, GITHUB_API_TOKEN, IGNORE_ALREADY_SET_SECRETS) are
 * left out on purpose, as are PATH and BUNDLE_GEMFILE (shell and Bundler, listed in the docs)
 * and MIGRATION_IGNORE_INVALID_OTP_SECRET (a manual override for one 4.3 migration).
 * OTHER_DATABASE_URL and PGHERO_STATS_DATABASE_URL only appear in commented-out lines of
 * config/pghero.yml, and Mastodon sets VIPS_BLOCK_UNTRUSTED itself, so neither is listed.
 * See mastodon-env.notes.md for what the settings mean.
 */

/** Domains, federation mode, locale and other instance-wide switches (config/initializers/1_hosts.rb, config/mastodon.yml). */
const CORE = [
  "LOCAL_DOMAIN", "WEB_DOMAIN", "ALTERNATE_DOMAINS", "SINGLE_USER_MODE", "AUTHORIZED_FETCH",
  "LIMITED_FEDERATION_MODE", "DISALLOW_UNAUTHENTICATED_API_ACCESS",
  "DISABLE_AUTOMATIC_SWITCHING_TO_APPROVED_REGISTRATIONS", "DEFAULT_LOCALE", "FORCE_DEFAULT_LOCALE",
  "ALLOWED_PRIVATE_ADDRESSES", "STREAMING_API_BASE_URL", "CDN_HOST", "TRUSTED_PROXY_IP",
  "EXPERIMENTAL_FEATURES", "UPDATE_CHECK_URL", "DISABLE_FOLLOWERS_SYNCHRONIZATION",
  "EMAIL_DOMAIN_ALLOWLIST", "EMAIL_DOMAIN_DENYLIST", "EMAIL_DOMAIN_LISTS_APPLY_AFTER_CONFIRMATION",
  "DISABLE_EMAIL_SUBSCRIPTIONS", "MAX_SESSION_ACTIVATIONS", "USER_ACTIVE_DAYS", "IP_RETENTION_PERIOD",
  "SESSION_RETENTION_PERIOD", "MAX_FOLLOWS_THRESHOLD", "MAX_FOLLOWS_RATIO", "MAX_REQUEST_POOL_SIZE",
  "HCAPTCHA_SITE_KEY", "HCAPTCHA_SECRET_KEY", "SELF_DESTRUCT", "DONATION_CAMPAIGNS_URL",
  "DONATION_CAMPAIGNS_ENVIRONMENT", "SKIP_POST_DEPLOYMENT_MIGRATIONS",
] as const;

/** Secrets. SECRET_KEY_BASE is read by Rails itself. The three Active Record encryption keys are required from 4.3.0 on (config/initializers/active_record_encryption.rb). */
const SECRETS = [
  "SECRET_KEY_BASE", "OTP_SECRET", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY",
  "ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY", "ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT",
  "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY",
] as const;

/** Runtime mode, logging and the Rack/Puma/Sidekiq process settings (config/puma.rb, config/sidekiq.yml, config/environments/production.rb, config/application.rb). */
const RUNTIME = [
  "RAILS_ENV", "NODE_ENV", "RAILS_SERVE_STATIC_FILES", "RAILS_LOG_LEVEL", "LOG_LEVEL", "SENDFILE_HEADER",
  "RACK_COMPRESS", "WEB_CONCURRENCY", "MAX_THREADS", "MIN_THREADS", "PERSISTENT_TIMEOUT", "PORT", "BIND",
  "SOCKET", "PROXY_PROTO_V1", "SIDEKIQ_CONCURRENCY", "MASTODON_SIDEKIQ_READY_FILENAME",
  "MASTODON_USE_LIBVIPS", "FFMPEG_BINARY", "FFPROBE_BINARY",
] as const;

/** Where the deployed code came from, as shown in the UI (config/mastodon.yml, lib/mastodon/version.rb). */
const SOURCE_INFO = [
  "SOURCE_BASE_URL", "GITHUB_REPOSITORY", "SOURCE_TAG", "SOURCE_COMMIT",
  "MASTODON_VERSION_METADATA", "MASTODON_VERSION_PRERELEASE",
] as const;

/** PostgreSQL primary and replica (config/database.yml, streaming/database.js). Rails reads DATABASE_URL and REPLICA_DATABASE_URL itself, the latter as the URL of the database named "replica". */
const DATABASE = [
  "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS", "DB_POOL", "DB_SSLMODE", "DATABASE_URL",
  "PREPARED_STATEMENTS", "QUERY_LOG_TAGS_ENABLED", "REPLICA_DB_HOST", "REPLICA_DB_PORT", "REPLICA_DB_NAME",
  "REPLICA_DB_USER", "REPLICA_DB_PASS", "REPLICA_DATABASE_URL", "REPLICA_PREPARED_STATEMENTS", "REPLICA_DB_TASKS",
] as const;

/** lib/mastodon/redis_configuration.rb builds `${prefix}REDIS_${suffix}` for the prefixes "", "CACHE_" and "SIDEKIQ_". The streaming server reads only the unprefixed set. */
const REDIS_SUFFIXES = [
  "URL", "HOST", "PORT", "DB", "USER", "PASSWORD",
  "SENTINELS", "SENTINEL_MASTER", "SENTINEL_PORT", "SENTINEL_USERNAME", "SENTINEL_PASSWORD",
] as const;
const REDIS = [
  "REDIS_DRIVER",
  ...["", "CACHE_", "SIDEKIQ_"].flatMap((prefix) => REDIS_SUFFIXES.map((suffix) => `${prefix}REDIS_${suffix}`)),
];

/** Elasticsearch or OpenSearch (config/initializers/chewy.rb, app/services/*search_service.rb). */
const SEARCH = [
  "ES_ENABLED", "ES_HOST", "ES_PORT", "ES_USER", "ES_PASS", "ES_PRESET", "ES_PREFIX", "ES_CA_FILE", "ES_QUERY_TIMEOUT",
] as const;

/** Media storage: local disk, S3 and S3-compatible stores, Swift, Azure (config/initializers/paperclip.rb, app/lib/attachment_batch.rb, app/lib/content_security_policy.rb). */
const STORAGE = [
  "PAPERCLIP_ROOT_PATH", "PAPERCLIP_ROOT_URL", "EXTRA_MEDIA_HOSTS",
  "S3_ENABLED", "S3_BUCKET", "S3_REGION", "S3_ENDPOINT", "S3_HOSTNAME", "S3_PROTOCOL", "S3_ALIAS_HOST",
  "S3_PERMISSION", "S3_FORCE_SINGLE_REQUEST", "S3_OVERRIDE_PATH_STYLE", "S3_MULTIPART_THRESHOLD",
  "S3_BATCH_DELETE_LIMIT", "S3_BATCH_DELETE_RETRY", "S3_SIGNATURE_VERSION", "S3_OPEN_TIMEOUT",
  "S3_READ_TIMEOUT", "S3_RETRY_LIMIT", "S3_ENABLE_CHECKSUM_MODE", "S3_STORAGE_CLASS", "S3_KEY_PREFIX",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
  "SWIFT_ENABLED", "SWIFT_USERNAME", "SWIFT_TENANT", "SWIFT_PASSWORD", "SWIFT_PROJECT_ID", "SWIFT_AUTH_URL",
  "SWIFT_CONTAINER", "SWIFT_OBJECT_URL", "SWIFT_REGION", "SWIFT_DOMAIN_NAME", "SWIFT_CACHE_TTL", "SWIFT_TEMP_URL_KEY",
  "AZURE_ENABLED", "AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_ACCESS_KEY", "AZURE_CONTAINER_NAME", "AZURE_ALIAS_HOST",
  "CACHE_BUSTER_ENABLED", "CACHE_BUSTER_HTTP_METHOD", "CACHE_BUSTER_SECRET_HEADER", "CACHE_BUSTER_SECRET",
] as const;

/** Mail (config/email.yml, lib/mastodon/email_configuration_helper.rb). The BULK_ set exists from 4.4.0 on and has no FROM, DELIVERY_METHOD, REPLY_TO or RETURN_PATH of its own. */
const SMTP_SUFFIXES = [
  "SERVER", "PORT", "LOGIN", "PASSWORD", "DOMAIN", "AUTH_METHOD", "CA_FILE", "OPENSSL_VERIFY_MODE",
  "ENABLE_STARTTLS", "ENABLE_STARTTLS_AUTO", "TLS", "SSL",
] as const;
const MAIL = [
  "SMTP_FROM_ADDRESS", "SMTP_DELIVERY_METHOD", "SMTP_REPLY_TO", "SMTP_RETURN_PATH",
  ...SMTP_SUFFIXES.map((suffix) => `SMTP_${suffix}`),
  ...SMTP_SUFFIXES.map((suffix) => `BULK_SMTP_${suffix}`),
];

/** Metrics and tracing. The PROMETHEUS_EXPORTER_* pair is read by the prometheus_exporter gem's client, and OTEL_EXPORTER_OTLP_ENDPOINT by the OpenTelemetry SDK (see docs; config/initializers/opentelemetry.rb turns tracing on when any OTEL_*_ENDPOINT is set). */
const OBSERVABILITY = [
  "MASTODON_PROMETHEUS_EXPORTER_ENABLED", "MASTODON_PROMETHEUS_EXPORTER_LOCAL",
  "MASTODON_PROMETHEUS_EXPORTER_HOST", "MASTODON_PROMETHEUS_EXPORTER_PORT",
  "MASTODON_PROMETHEUS_EXPORTER_WEB_DETAILED_METRICS", "MASTODON_PROMETHEUS_EXPORTER_SIDEKIQ_DETAILED_METRICS",
  "PROMETHEUS_EXPORTER_HOST", "PROMETHEUS_EXPORTER_PORT",
  "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME_PREFIX", "OTEL_SERVICE_NAME_SEPARATOR",
] as const;

/** Translation back ends, outgoing proxies and Tor (config/translation.yml, config/initializers/http_client_proxy.rb). */
const INTEGRATIONS = [
  "DEEPL_API_KEY", "DEEPL_PLAN", "LIBRE_TRANSLATE_ENDPOINT", "LIBRE_TRANSLATE_API_KEY",
  "http_proxy", "http_hidden_proxy", "ALLOW_ACCESS_TO_HIDDEN_SERVICE",
] as const;

/** External sign-in: OmniAuth common switches, then CAS, SAML, OIDC, LDAP and PAM (config/omniauth.yml, config/initializers/devise.rb). */
const AUTH = [
  "OMNIAUTH_ONLY", "ONE_CLICK_SSO_LOGIN", "ALLOW_UNSAFE_AUTH_PROVIDER_REATTACH", "SSO_ACCOUNT_SETTINGS", "SSO_ACCOUNT_SIGN_UP",
  ...[
    "ENABLED", "DISPLAY_NAME", "URL", "HOST", "PORT", "SSL", "VALIDATE_URL", "CALLBACK_URL", "LOGOUT_URL",
    "LOGIN_URL", "UID_FIELD", "CA_PATH", "DISABLE_SSL_VERIFICATION", "UID_KEY", "NAME_KEY", "EMAIL_KEY",
    "NICKNAME_KEY", "FIRST_NAME_KEY", "LAST_NAME_KEY", "LOCATION_KEY", "IMAGE_KEY", "PHONE_KEY",
    "SECURITY_ASSUME_EMAIL_IS_VERIFIED",
  ].map((suffix) => `CAS_${suffix}`),
  ...[
    "ENABLED", "DISPLAY_NAME", "ACS_URL", "ISSUER", "IDP_SSO_TARGET_URL", "IDP_SSO_TARGET_PARAMS", "IDP_CERT",
    "IDP_CERT_FINGERPRINT", "IDP_CERT_FINGERPRINT_VALIDATOR", "NAME_IDENTIFIER_FORMAT", "CERT", "PRIVATE_KEY",
    "ALLOWED_CLOCK_DRIFT", "SECURITY_WANT_ASSERTION_SIGNED", "SECURITY_WANT_ASSERTION_ENCRYPTED",
    "SECURITY_ASSUME_EMAIL_IS_VERIFIED", "UID_ATTRIBUTE", "ATTRIBUTES_STATEMENTS_UID",
    "ATTRIBUTES_STATEMENTS_EMAIL", "ATTRIBUTES_STATEMENTS_FULL_NAME", "ATTRIBUTES_STATEMENTS_FIRST_NAME",
    "ATTRIBUTES_STATEMENTS_LAST_NAME", "ATTRIBUTES_STATEMENTS_VERIFIED", "ATTRIBUTES_STATEMENTS_VERIFIED_EMAIL",
  ].map((suffix) => `SAML_${suffix}`),
  ...[
    "ENABLED", "DISPLAY_NAME", "DISCOVERY", "ISSUER", "SCOPE", "UID_FIELD", "CLIENT_ID", "CLIENT_SECRET",
    "REDIRECT_URI", "HTTP_SCHEME", "HOST", "PORT", "CLIENT_AUTH_METHOD", "RESPONSE_TYPE", "RESPONSE_MODE",
    "DISPLAY", "PROMPT", "SEND_NONCE", "SEND_SCOPE_TO_TOKEN_ENDPOINT", "IDP_LOGOUT_REDIRECT_URI",
    "AUTH_ENDPOINT", "TOKEN_ENDPOINT", "USER_INFO_ENDPOINT", "JWKS_URI", "END_SESSION_ENDPOINT", "USE_PKCE",
    "SECURITY_ASSUME_EMAIL_IS_VERIFIED",
  ].map((suffix) => `OIDC_${suffix}`),
  ...[
    "ENABLED", "HOST", "PORT", "METHOD", "TLS_NO_VERIFY", "BASE", "BIND_DN", "PASSWORD", "UID", "MAIL",
    "SEARCH_FILTER", "UID_CONVERSION_ENABLED", "UID_CONVERSION_SEARCH", "UID_CONVERSION_REPLACE",
  ].map((suffix) => `LDAP_${suffix}`),
  "PAM_ENABLED", "PAM_EMAIL_DOMAIN", "PAM_DEFAULT_SERVICE", "PAM_CONTROLLED_SERVICE",
];

export const MASTODON_ENV_VARS: ReadonlySet<string> = new Set<string>([
  ...CORE, ...SECRETS, ...RUNTIME, ...SOURCE_INFO, ...DATABASE, ...REDIS, ...SEARCH, ...STORAGE, ...MAIL,
  ...OBSERVABILITY, ...INTEGRATIONS, ...AUTH,
]);

/**
 * Mastodon variables that are read before .env.production is loaded, or that are specific to one
 * process, so they belong in each systemd unit's Environment= and not in .env.production.
 * puma evaluates config/puma.rb and Sidekiq evaluates config/sidekiq.yml before Rails boots and
 * loads dotenv (mastodon/mastodon#28440; sidekiq/sidekiq#3090). The streaming server picks its
 * dotenv file from NODE_ENV and then reads PORT/BIND/SOCKET from it, so a shared PORT there would
 * be applied to streaming as well.
 */
export const PROCESS_SCOPED_MASTODON_VARS: ReadonlySet<string> = new Set<string>([
  "RAILS_ENV", "NODE_ENV", "PORT", "BIND", "SOCKET", "WEB_CONCURRENCY", "MAX_THREADS", "MIN_THREADS",
  "PERSISTENT_TIMEOUT", "PROXY_PROTO_V1", "SIDEKIQ_CONCURRENCY",
]);

/** Names that must never be written, each with the reason and the version. */
export const REMOVED_ENV_VARS: ReadonlyMap<string, string> = new Map<string, string>([
  ["STREAMING_CLUSTER_NUM", "removed in 4.2.0 (#24655): streaming is a single Node process; run more streaming units instead"],
  ["STATSD_ADDR", "StatsD support was deprecated in 4.2.0 and removed in 4.3.0 (#30240); use the Prometheus exporter or OpenTelemetry"],
  ["STATSD_NAMESPACE", "StatsD support was deprecated in 4.2.0 and removed in 4.3.0 (#30240)"],
  ["STATSD_SIDEKIQ", "StatsD support was deprecated in 4.2.0 and removed in 4.3.0 (#30240)"],
  ["PAPERCLIP_SECRET", "removed in 2.3.0 (#6557); nothing used it"],
  ["REDIS_NAMESPACE", "deprecated in 4.3.0; from 4.4.0 on, config/initializers/deprecations.rb aborts boot when it is set (#34664)"],
  ["CACHE_REDIS_NAMESPACE", "listed in the docs but never read by the source; the only namespace was REDIS_NAMESPACE, which is gone"],
  ["SIDEKIQ_REDIS_NAMESPACE", "listed in the docs but never read by the source; the only namespace was REDIS_NAMESPACE, which is gone"],
  ["REDIS_USERNAME", "only the 4.3.0 streaming server read it (a bug), fixed to REDIS_USER in 4.3.1 (#32493)"],
  ["DB_SSLROOTCERT", "never read by Mastodon: libpq takes PGSSLROOTCERT, and streaming needs NODE_EXTRA_CA_CERTS or sslrootcert= in DATABASE_URL"],
  ...["ENABLED", "COOLDOWN_MINUTES", "INITIAL_WAIT_MINUTES", "MAX_GLOBAL", "MAX_SINGLE", "MAX_PAGES"].map(
    (suffix): [string, string] => [`FETCH_REPLIES_${suffix}`, "read only by 4.4.x; removed in 4.5.0 (#35210), where fetching all replies is always on"],
  ),
  ["ENABLE_SIDEKIQ_UNIQUE_JOBS_UI", "support dropped in 4.6.0 (#38340)"],
  ["WHITELIST_MODE", "renamed to LIMITED_FEDERATION_MODE in 3.1.5; still read as a fallback, but it logs a deprecation warning"],
  ["EMAIL_DOMAIN_BLACKLIST", "old name, read only when EMAIL_DOMAIN_DENYLIST is absent (rename completed in 4.3.0, #30530); write EMAIL_DOMAIN_DENYLIST"],
  ["EMAIL_DOMAIN_WHITELIST", "old name, read only when EMAIL_DOMAIN_ALLOWLIST is absent (rename completed in 4.3.0, #30530); write EMAIL_DOMAIN_ALLOWLIST"],
  ["S3_CLOUDFRONT_HOST", "old alias, read only when S3_ALIAS_HOST is absent; write S3_ALIAS_HOST"],
]);

/**
 * Variables that are not Mastodon's own but that we set on processes (systemd units). None of these
 * has any effect in .env.production, because each is read when the process starts or by a library
 * that dotenv cannot reach in time.
 */
export const PROCESS_ENV_VARS: ReadonlySet<string> = new Set<string>([
  "LD_PRELOAD", // jemalloc for Ruby processes; upstream dist/mastodon-{web,sidekiq}.service set LD_PRELOAD=libjemalloc.so
  "MALLOC_ARENA_MAX", // glibc arena cap; upstream dist/mastodon-sidekiq.service sets 2
  "MALLOC_CONF", // jemalloc tuning; upstream Dockerfile sets narenas:2,background_thread:true,...
  "RUBY_YJIT_ENABLE", // Ruby's YJIT switch; upstream Dockerfile sets 1
  "NODE_EXTRA_CA_CERTS", // extra CAs for streaming (pg and ioredis TLS); Node reads it only at startup
  "PGSSLROOTCERT", // libpq CA file for the Rails side when DB_SSLMODE is verify-ca or verify-full
  "SSL_CERT_FILE", // CA bundle for Ruby OpenSSL (rediss:// with REDIS_DRIVER=ruby); replaces the default bundle, so it must be a full bundle
]);

/** Variables read only by some of the supported releases. `since` is inclusive and `until` is exclusive. */
export interface EnvVarBounds {
  readonly since?: string;
  readonly until?: string;
}

export const ENV_VAR_VERSIONS: ReadonlyMap<string, EnvVarBounds> = new Map<string, EnvVarBounds>([
  ["OTP_SECRET", { until: "4.4.0" }], // 4.3.x aborts without it; from 4.4.0 only the 2024 two-factor migration reads it
  ["MASTODON_USE_LIBVIPS", { until: "4.6.0" }], // 4.3: opt-in (=true); 4.4-4.5: on unless =false; 4.6 removed ImageMagick
  ...[
    "FORCE_DEFAULT_LOCALE", "EXTRA_MEDIA_HOSTS", "QUERY_LOG_TAGS_ENABLED", "REPLICA_PREPARED_STATEMENTS",
    "REPLICA_DB_TASKS", "EXPERIMENTAL_FEATURES", "SOURCE_COMMIT", "PROMETHEUS_EXPORTER_HOST", "PROMETHEUS_EXPORTER_PORT",
    ...OBSERVABILITY.filter((name) => name.startsWith("MASTODON_PROMETHEUS_")),
    ...SMTP_SUFFIXES.map((suffix) => `BULK_SMTP_${suffix}`),
  ].map((name): [string, EnvVarBounds] => [name, { since: "4.4.0" }]),
  ...["DISABLE_EMAIL_SUBSCRIPTIONS", "DONATION_CAMPAIGNS_URL", "DONATION_CAMPAIGNS_ENVIRONMENT"].map(
    (name): [string, EnvVarBounds] => [name, { since: "4.6.0" }],
  ),
  ["ES_QUERY_TIMEOUT", { since: "4.7.0" }],
  ["RACK_COMPRESS", { since: "4.8.0" }],
]);

export function isMastodonEnvVar(name: string): boolean {
  return MASTODON_ENV_VARS.has(name);
}

function parseVersion(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`not a Mastodon version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export interface AssertMastodonEnvOptions {
  /** Release tag being deployed, e.g. "v4.5.2"; when given, names outside ENV_VAR_VERSIONS bounds are rejected. */
  readonly version?: string;
  /** "dotenv": .env.production, which rejects PROCESS_SCOPED_MASTODON_VARS. "process": a unit's Environment=, which also allows PROCESS_ENV_VARS. */
  readonly target?: "dotenv" | "process";
}

/** Throws an Error naming every variable that Mastodon would not read from `where`, with the reason for each. */
export function assertMastodonEnv(vars: Record<string, string>, where: string, options: AssertMastodonEnvOptions = {}): void {
  const problems: string[] = [];
  for (const name of Object.keys(vars).sort()) {
    const removed = REMOVED_ENV_VARS.get(name);
    if (removed !== undefined) {
      problems.push(`${name} (removed: ${removed})`);
      continue;
    }
    if (options.target === "process" && PROCESS_ENV_VARS.has(name)) continue;
    if (!MASTODON_ENV_VARS.has(name)) {
      const hint = PROCESS_ENV_VARS.has(name) ? "process environment only; set it on the systemd unit" : "not read by Mastodon";
      problems.push(`${name} (${hint})`);
      continue;
    }
    if (options.target === "dotenv" && PROCESS_SCOPED_MASTODON_VARS.has(name)) {
      problems.push(`${name} (read before .env.production is loaded, or per process; set it on the systemd unit)`);
      continue;
    }
    const bounds = ENV_VAR_VERSIONS.get(name);
    if (options.version !== undefined && bounds !== undefined) {
      if (bounds.since !== undefined && compareVersions(options.version, bounds.since) < 0) {
        problems.push(`${name} (first read in ${bounds.since}; deploying ${options.version})`);
      } else if (bounds.until !== undefined && compareVersions(options.version, bounds.until) >= 0) {
        problems.push(`${name} (no longer read from ${bounds.until}; deploying ${options.version})`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`${where}: refusing to write environment variables Mastodon would not read: ${problems.join("; ")}`);
  }
}
