// The environment the chart gives a Sidekiq pod for our values, computed without Helm: its env
// ConfigMap (templates/_env.tpl) and the container's own entries (_secrets.tpl, then
// sidekiq.extraEnvVars). Our migration Jobs start from it, so they boot Rails exactly as Sidekiq
// does; test/unit/kube-chart-render.test.ts compares it with a real `helm template`.
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { ChartValues } from "../chart-types";
import type { ClusterEndpoints, Lift } from "../cluster-endpoints";

export type EnvVar<T> = Lift<IEnvVar, T>;

/** What the ConfigMap `<full>-env` holds, in the chart's order. */
export function chartConfigEnv<T>(v: ChartValues<T>, at: Pick<ClusterEndpoints<T>, "concat">): [string, string | T][] {
  const m = v.mastodon;
  const out: [string, string | T][] = [];
  const add = (name: string, value: string | T | undefined | false) => {
    if (value !== undefined && value !== false && value !== "") out.push([name, value]);
  };
  add("TZ", v.timezone);
  add("LOCAL_DOMAIN", m.localDomain);
  add("WEB_DOMAIN", m.webDomain);
  add("DEFAULT_LOCALE", m.locale);
  add("ALTERNATE_DOMAINS", m.alternateDomains.join(","));
  add("SINGLE_USER_MODE", m.singleUserMode && "true");
  add("AUTHORIZED_FETCH", m.authorizedFetch && "true");
  add("RAILS_LOG_LEVEL", m.logLevel.rails);
  add("LOG_LEVEL", m.logLevel.streaming);
  out.push(["MALLOC_ARENA_MAX", "2"], ["NODE_ENV", "production"], ["RAILS_ENV", "production"], ["STREAMING_CLUSTER_NUM", String(m.streaming.workers)]);
  const pg = v.postgresql;
  out.push(["DB_HOST", pg.hostname], ["DB_PORT", String(pg.port)], ["DB_NAME", pg.database], ["PREPARED_STATEMENTS", String(pg.preparedStatements)]);
  const es = v.elasticsearch;
  if (es.enabled) out.push(["ES_ENABLED", "true"], ["ES_HOST", at.concat("https://", es.hostname)], ["ES_PRESET", es.preset], ["ES_PORT", String(es.port)]);
  else out.push(["ES_ENABLED", "false"]);
  out.push(["REDIS_HOST", v.redis.hostname], ["REDIS_PORT", String(v.redis.port)]);
  const s3 = m.s3;
  out.push(["S3_ENABLED", "true"], ["S3_BUCKET", s3.bucket], ["S3_ENDPOINT", s3.endpoint], ["S3_HOSTNAME", s3.hostname], ["S3_PROTOCOL", s3.protocol]);
  add("S3_PERMISSION", s3.permission);
  add("S3_REGION", s3.region);
  add("S3_ALIAS_HOST", s3.aliasHost);
  const smtp = m.smtp;
  add("SMTP_AUTH_METHOD", smtp.authMethod);
  add("SMTP_CA_FILE", smtp.caFile);
  add("SMTP_DELIVERY_METHOD", smtp.deliveryMethod);
  add("SMTP_DOMAIN", smtp.domain);
  add("SMTP_ENABLE_STARTTLS", smtp.enableStartTls);
  add("SMTP_FROM_ADDRESS", smtp.fromAddress);
  add("SMTP_OPENSSL_VERIFY_MODE", smtp.opensslVerifyMode);
  add("SMTP_PORT", String(smtp.port));
  add("SMTP_SERVER", smtp.server);
  add("SMTP_TLS", smtp.tls && "true");
  // Features we leave off, which the chart still writes out.
  for (const off of ["CACHE_BUSTER_ENABLED", "OIDC_ENABLED", "SAML_ENABLED", "CAS_ENABLED", "PAM_ENABLED", "LDAP_ENABLED", "OMNIAUTH_ONLY"]) out.push([off, "false"]);
  // Go templates range over a map in key order.
  for (const k of Object.keys(m.extraEnvVars).sort()) out.push([k, m.extraEnvVars[k]!]);
  return out;
}

const fromSecret = <T>(name: string, secret: string, key: string): EnvVar<T> => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** The Sidekiq container's env entries, in the chart's order: secrets first, so REDIS_URL can expand $(REDIS_PASSWORD). */
export function sidekiqContainerEnv<T>(v: ChartValues<T>): EnvVar<T>[] {
  const app = v.mastodon.secrets.existingSecret;
  const env: EnvVar<T>[] = [
    fromSecret("SECRET_KEY_BASE", app, "secret-key-base"),
    fromSecret("VAPID_PRIVATE_KEY", app, "vapid-private-key"),
    fromSecret("VAPID_PUBLIC_KEY", app, "vapid-public-key"),
    fromSecret("ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY", app, "are-primary-key"),
    fromSecret("ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY", app, "are-deterministic-key"),
    fromSecret("ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT", app, "are-derivation-salt"),
    fromSecret("AWS_ACCESS_KEY_ID", v.mastodon.s3.existingSecret, "access-key-id"),
    fromSecret("AWS_SECRET_ACCESS_KEY", v.mastodon.s3.existingSecret, "secret-access-key"),
    fromSecret("DB_PASS", v.postgresql.existingSecret, "password"),
    fromSecret("DB_USER", v.postgresql.existingSecret, "username"),
    fromSecret("REDIS_PASSWORD", v.redis.existingSecret, "password"),
    fromSecret("SMTP_LOGIN", v.mastodon.smtp.existingSecret, "username"),
    fromSecret("SMTP_PASSWORD", v.mastodon.smtp.existingSecret, "password"),
  ];
  if (v.elasticsearch.enabled) env.push(fromSecret("ES_USER", v.elasticsearch.existingSecret, "username"), fromSecret("ES_PASS", v.elasticsearch.existingSecret, "password"));
  const extra = v.mastodon.sidekiq.extraEnvVars;
  for (const k of Object.keys(extra).sort()) env.push({ name: k, value: extra[k]! });
  return env;
}
