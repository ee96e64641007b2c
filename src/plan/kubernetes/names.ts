// Names shared by the chart values, the objects we create beside the chart, and the components
// that fill the Secrets: one place, so a Secret the chart reads is the Secret we write.
import type { PlannedWorkload } from "../types";
import { PATHS } from "../render/context";

/** Chart name of Mastodon's official chart (Chart.yaml `name`); the `app.kubernetes.io/name` label. */
export const CHART_NAME = "mastodon";
/**
 * Mastodon's official chart at the version the values are written (and tested) for — the
 * fixture under ../shared/fixtures/mastodon-helm-chart: another version needs its templates read again.
 */
export const MASTODON_CHART = { repository: "https://mastodon.github.io/helm-charts", name: CHART_NAME, version: "1.0.2" } as const;
export const MASTODON_IMAGE = "ghcr.io/mastodon/mastodon";
export const STREAMING_IMAGE = "ghcr.io/mastodon/mastodon-streaming";

/**
 * The Secrets the pods read, each with the keys the chart's `existingSecretKeys` defaults expect
 * (values.yaml of chart 1.0.2), so the chart needs no key overrides.
 */
export const SECRETS = {
  app: { name: "mastodon-app", keys: ["secret-key-base", "vapid-private-key", "vapid-public-key", "are-primary-key", "are-deterministic-key", "are-derivation-salt"] },
  postgres: { name: "mastodon-postgres", keys: ["username", "password"] },
  redis: { name: "mastodon-redis", keys: ["password"] },
  s3: { name: "mastodon-s3", keys: ["access-key-id", "secret-access-key"] },
  smtp: { name: "mastodon-smtp", keys: ["username", "password"] },
  elasticsearch: { name: "mastodon-elasticsearch", keys: ["username", "password"] },
  /** The managed database's CA certificate: public, but kept with the other connection material. */
  postgresCa: { name: "mastodon-postgres-ca", keys: ["ca.crt"] },
} as const;
export type SecretKind = keyof typeof SECRETS;

/** Where the pods find the Postgres CA: the VM tier's path, so DB_SSLMODE/PGSSLROOTCERT read alike. */
export const POSTGRES_CA = { volume: "postgres-ca", dir: PATHS.tlsDir, file: PATHS.postgresCa, fileName: PATHS.postgresCa.slice(PATHS.tlsDir.length + 1), key: "ca.crt" } as const;

export const GATEWAY_NAME = "mastodon";
/** The Secret cert-manager writes the Gateway's certificate to (one certificate for every hostname). */
export const TLS_SECRET = "mastodon-tls";
export const CLUSTER_ISSUER = "letsencrypt";
export const HTTP_LISTENER = "http";
export const KEDA_AUTH_NAME = "mastodon-redis";

/** The HTTPS listener of one hostname: section names are DNS labels, a hostname's dots become dashes. */
export function httpsListener(hostname: string): string {
  return `https-${hostname.replace(/\./g, "-")}`;
}

/** The chart's full name (_helpers.tpl "mastodon.fullname"): the release itself when it already contains the chart's name. */
export function chartFullName(release: string): string {
  return (release.includes(CHART_NAME) ? release : `${release}-${CHART_NAME}`).slice(0, 63).replace(/-+$/, "");
}

/** The Deployment the chart renders for a workload: <full>-web, <full>-streaming, <full>-sidekiq-<group>. */
export function deploymentName(release: string, w: Pick<PlannedWorkload, "name">): string {
  return `${chartFullName(release)}-${w.name}`;
}

/** A Sidekiq workload's group, the chart's `sidekiq.workers[].name`. */
export function sidekiqGroup(w: Pick<PlannedWorkload, "name">): string {
  if (!w.name.startsWith("sidekiq-")) throw new Error(`${w.name} is not a Sidekiq workload (sidekiq-<group>)`);
  return w.name.slice("sidekiq-".length);
}

/** The pod labels the chart selects a workload's pods by (selectorLabels plus the component). */
export function podSelector(release: string, w: Pick<PlannedWorkload, "name">): Record<string, string> {
  return { "app.kubernetes.io/component": w.name, "app.kubernetes.io/instance": release, "app.kubernetes.io/name": CHART_NAME };
}

/** DOKS labels every node with its pool's name. */
export function nodePoolSelector(pool: string): Record<string, string> {
  return { "doks.digitalocean.com/node-pool": pool };
}

/** Quantities from the plan's millicores and MiB. */
export function podResources(w: Pick<PlannedWorkload, "requests" | "limits">): { requests: { cpu: string; memory: string }; limits: { memory: string } } {
  return { requests: { cpu: `${w.requests.cpuMillis}m`, memory: `${w.requests.memoryMb}Mi` }, limits: { memory: `${w.limits.memoryMb}Mi` } };
}

/** Labels every object we create carries beside the chart's, so `kubectl -l` finds them together. */
export function ownLabels(release: string, component: string): Record<string, string> {
  return { "app.kubernetes.io/component": component, "app.kubernetes.io/instance": release, "app.kubernetes.io/managed-by": "mastodon-stack", "app.kubernetes.io/name": CHART_NAME };
}

/** The VM tier's nginx header (templates/nginx/snippets/hsts.conf.liquid): the same policy at the Gateway. */
export const HSTS = { name: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" } as const;
