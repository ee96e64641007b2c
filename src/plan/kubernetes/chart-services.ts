// How the pods reach the managed services, as chart values: the same endpoints, TLS and media
// rules as the VM tier (plan/endpoints.ts, render/env/*), expressed in what the chart can say.
import type { Spec } from "../../spec/schema/stack";
import { DO_DIRECT_PORT, DO_POOL_PORT, POOL_NAME } from "../endpoints";
import { esPreset } from "../render/env/services";
import type { ChartValues } from "./chart-types";
import type { ClusterEndpoints } from "./cluster-endpoints";
import { SECRETS } from "./names";

/** DigitalOcean's managed OpenSearch listens on the direct port with TLS (as in plan/endpoints.ts). */
export const SEARCH_PORT = DO_DIRECT_PORT;
/** DigitalOcean's managed Valkey: TLS only, user `default`. */
export const REDIS_PORT = DO_POOL_PORT;

/**
 * Through the managed pool for the app (the pool is addressed by its name as the database); the
 * direct connection only feeds the chart's predeploy ConfigMap, which our migrations do not use,
 * and is set so nothing in the release points migrations at the pool.
 */
export function postgresValues<T>(spec: Spec, at: ClusterEndpoints<T>): ChartValues<T>["postgresql"] {
  return {
    hostname: at.postgresHost,
    port: DO_POOL_PORT,
    database: POOL_NAME,
    // A transaction pool hands each transaction any server connection (render/env/services.ts).
    preparedStatements: false,
    existingSecret: SECRETS.postgres.name,
    direct: { hostname: at.postgresHost, port: DO_DIRECT_PORT, database: spec.postgres.database },
  };
}

export function redisValues<T>(at: ClusterEndpoints<T>): ChartValues<T>["redis"] {
  // The chart has no TLS for Redis: REDIS_URL (redisUrl) carries rediss://, these only satisfy its `required`.
  return { hostname: at.redisHost, port: REDIS_PORT, existingSecret: SECRETS.redis.name };
}

/**
 * rediss:// with the password the chart already put in REDIS_PASSWORD: Kubernetes expands
 * $(REDIS_PASSWORD) because the chart renders extraEnvVars after its secret entries, so the
 * password never leaves its Secret. Mastodon and streaming both prefer REDIS_URL over REDIS_HOST.
 */
export function redisUrl<T>(at: ClusterEndpoints<T>): T {
  return at.concat("rediss://default:$(REDIS_PASSWORD)@", at.redisHost, `:${REDIS_PORT}`);
}

export function searchValues<T>(spec: Spec, at: ClusterEndpoints<T>): ChartValues<T>["elasticsearch"] {
  if (!spec.search.managed) return { enabled: false };
  if (at.searchHost === undefined) throw new Error("search is managed, but no search host was given (ClusterEndpoints.searchHost)");
  // One managed node: the preset the VM tier picks for it (render/env.ts searchNodes).
  return { enabled: true, hostname: at.searchHost, port: SEARCH_PORT, tls: true, preset: esPreset(1), existingSecret: SECRETS.elasticsearch.name };
}

/** Media in object storage with the VM tier's rules (render/env/media.ts); local media cannot run on pods. */
export function s3Values<T>(spec: Spec, at: ClusterEndpoints<T>): ChartValues<T>["mastodon"]["s3"] {
  const m = spec.media;
  const common = { enabled: true, existingSecret: SECRETS.s3.name, protocol: "https" } as const;
  const bucket = `${spec.name}-media`;
  if (m.spaces) {
    const host = `${m.spaces.region}.digitaloceanspaces.com`;
    const aliasHost = m.spaces.cdn ? need(at.mediaAliasHost, "media.spaces.cdn is on, but no CDN host was given (ClusterEndpoints.mediaAliasHost)") : "";
    // Spaces honours Mastodon's default public-read ACL, so S3_PERMISSION stays unset.
    return { ...common, bucket: m.spaces.bucket ?? bucket, endpoint: `https://${host}`, hostname: host, region: m.spaces.region, permission: "", aliasHost };
  }
  if (m.r2) {
    const host = need(at.objectStorageHost, "media is on R2, but no account host was given (ClusterEndpoints.objectStorageHost)");
    const aliasHost = m.r2.customDomain ?? need(at.mediaAliasHost, "media is on R2 without a customDomain, but no public bucket host was given (ClusterEndpoints.mediaAliasHost)");
    // R2 refuses any ACL; the chart writes S3_PERMISSION only when non-empty (sharedEnv sets it empty).
    return { ...common, bucket: m.r2.bucket ?? bucket, endpoint: at.concat("https://", host), hostname: host, region: "auto", permission: "", aliasHost };
  }
  if (m.s3) {
    const host = new URL(m.s3.endpoint).host;
    return { ...common, bucket: m.s3.bucket, endpoint: m.s3.endpoint, hostname: host, region: m.s3.region, permission: m.s3.permission, aliasHost: m.s3.aliasHost ?? "" };
  }
  throw new Error("on Kubernetes media must be in object storage (spaces, r2 or s3)");
}

/**
 * Mail as the VM tier sends it (render/env/services.ts mailVars). The chart always passes
 * SMTP_LOGIN/SMTP_PASSWORD from the Secret; without mail the Secret holds empty strings and every
 * SMTP_* the chart would otherwise default (its server is smtp.mailgun.org) is blanked.
 */
export function smtpValues<T>(spec: Spec): ChartValues<T>["mastodon"]["smtp"] {
  const smtp = spec.mail?.smtp;
  // Mastodon's own defaults, written out so the chart's example values never reach a pod.
  const fixed = { existingSecret: SECRETS.smtp.name, domain: "", authMethod: "plain", caFile: "/etc/ssl/certs/ca-certificates.crt", deliveryMethod: "smtp", opensslVerifyMode: "peer" };
  if (!smtp) return { ...fixed, server: "", port: 587, fromAddress: "", enableStartTls: "", tls: false };
  // `always` refuses to send in the clear; implicit TLS (465) is SMTP_TLS alone.
  return smtp.tls === "tls"
    ? { ...fixed, server: smtp.host, port: smtp.port, fromAddress: smtp.from, enableStartTls: "", tls: true }
    : { ...fixed, server: smtp.host, port: smtp.port, fromAddress: smtp.from, enableStartTls: "always", tls: false };
}

/**
 * Settings every Mastodon pod reads that the chart has no value for; not secret, so they go
 * through the chart's ConfigMap (`mastodon.extraEnvVars`), whose checksum restarts the pods.
 */
export function sharedEnv(spec: Spec): Record<string, string> {
  return {
    // DigitalOcean refuses Postgres without TLS. The VM tier verifies the server (verify-full
    // with the provider's CA file), but chart 1.0.2 cannot mount a file into web or Sidekiq pods:
    // its global `volumeMounts` renders as a map there (test/unit/kube-chart-render.test.ts proves
    // it), so Rails gets encryption without verification. Streaming overrides this with
    // verify-full (its extraCerts), and our migration Jobs verify too (manifests/migrations.ts).
    DB_SSLMODE: "require",
    // hiredis, Mastodon's default driver, cannot speak TLS (rediss://).
    REDIS_DRIVER: "ruby",
    // Nothing in front of Puma serves public/ (the Gateway only proxies).
    RAILS_SERVE_STATIC_FILES: "true",
    ...(spec.media.r2 || spec.media.s3?.permission === "" ? { S3_PERMISSION: "" } : {}),
  };
}

function need<V>(v: V | undefined, message: string): V {
  if (v === undefined) throw new Error(message);
  return v;
}
