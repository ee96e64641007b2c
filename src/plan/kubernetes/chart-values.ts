// The values for Mastodon's official Helm chart (1.0.2) from the plan: workloads sized by the
// planner, services reached as on the VM tier, every secret through an `existingSecret` we
// name (names.ts) so no secret value is ever in the values, the Helm release or Pulumi's inputs.
// Where the chart cannot say what we need, the notes below say what we do instead.
import { webDomainOf } from "../../spec/dns";
import type { Spec } from "../../spec/schema/stack";
import type { KubernetesPlan, Plan, PlannedWorkload } from "../types";
import type { ChartValues, ExtraEnv, HttpRouteFilter, HttpRouteRule, ParentRef, SecurityContext, SidekiqWorkerValues } from "./chart-types";
import { postgresValues, redisUrl, redisValues, s3Values, searchValues, sharedEnv, smtpValues } from "./chart-services";
import type { ClusterEndpoints } from "./cluster-endpoints";
import { GATEWAY_NAME, MASTODON_CHART, HSTS, MASTODON_IMAGE, POSTGRES_CA, SECRETS, STREAMING_IMAGE, httpsListener, nodePoolSelector, podResources, sidekiqGroup } from "./names";

export type { ChartValues } from "./chart-types";

/** Restricted Pod Security for the containers; the chart's podSecurityContext (uid/gid 991) stays. */
export const CONTAINER_SECURITY: SecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export function kubernetesOf(plan: Plan): KubernetesPlan {
  if (!plan.kubernetes) throw new Error(`stack ${plan.stack.name} does not run on Kubernetes (no plan.kubernetes)`);
  return plan.kubernetes;
}

export function workloadOf(plan: Plan, name: string): PlannedWorkload {
  const w = kubernetesOf(plan).workloads.find((x) => x.name === name);
  if (!w) throw new Error(`the plan has no ${name} workload`);
  return w;
}

/** The names the app answers on: the web domain, then the alternate domains (ALTERNATE_DOMAINS). */
export function appHostnames(spec: Spec): string[] {
  return [...new Set([webDomainOf(spec), ...spec.alternateDomains])];
}

/** Names that only redirect to the web domain: the local domain when WEB_DOMAIN differs (its /.well-known/ must reach the web domain). */
export function redirectHostnames(spec: Spec): string[] {
  const app = appHostnames(spec);
  return [spec.domain].filter((d) => !app.includes(d));
}

/** The Sidekiq groups in the plan's order: one chart worker (Deployment) each, queues in priority order as the VM tier's `-q` flags. */
function sidekiqWorkers(k: KubernetesPlan): SidekiqWorkerValues[] {
  return k.workloads
    .filter((w) => w.kind === "sidekiq")
    .map((w) => {
      const queues = w.process.queues ?? [];
      if (queues.length === 0) throw new Error(`${w.name} has no queues`);
      // The chart refuses replicas > 1 with the scheduler, but only for the literal name; a min above 1 would run every periodic job twice.
      if (queues.includes("scheduler") && (w.replicas.min !== 1 || w.replicas.max !== 1)) throw new Error(`${w.name} holds the scheduler queue and must run exactly one replica, not ${w.replicas.min} to ${w.replicas.max}`);
      // Unweighted queues in order: Sidekiq then drains them strictly by priority, like the VM tier's units.
      return { name: sidekiqGroup(w), replicas: w.replicas.min, concurrency: w.process.threads, queues: [...queues], resources: podResources(w), nodeSelector: nodePoolSelector(w.pool) };
    });
}

function httpRoute(spec: Spec, k: KubernetesPlan): ChartValues<unknown>["httproute"] {
  const hostnames = appHostnames(spec);
  // One parentRef per HTTPS listener: a ref without a section would also attach to the HTTP
  // listener and serve the app in the clear instead of redirecting.
  const parentRefs: ParentRef[] = hostnames.map((h) => ({ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, namespace: k.namespace, sectionName: httpsListener(h) }));
  const hsts: HttpRouteFilter = { type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ ...HSTS }] } };
  const rule = (prefix: string): HttpRouteRule => ({ matches: [{ path: { type: "PathPrefix", value: prefix } }], filters: [hsts] });
  return { enabled: true, parentRefs, hostnames, rules: [rule("/")], streamingHostnames: hostnames, streamingRules: [rule("/api/v1/streaming")] };
}

/** Per-process settings that hold an output or differ by component (the chart renders them in the pod spec). */
function componentEnv<T>(at: ClusterEndpoints<T>, extra: Record<string, string>): ExtraEnv<T> {
  return { ...extra, REDIS_URL: redisUrl(at) };
}

/**
 * Values for the chart release `plan.kubernetes.release` in `plan.kubernetes.namespace`.
 * `at` carries what exists only after the cloud resources do; nothing secret is in the result.
 */
export function chartValues<T>(spec: Spec, plan: Plan, at: ClusterEndpoints<T>): ChartValues<T> {
  const k = kubernetesOf(plan);
  // These values follow the templates of one chart version (names.ts MASTODON_CHART): another needs them read again.
  if (k.chart.name !== MASTODON_CHART.name || k.chart.version !== MASTODON_CHART.version) throw new Error(`these values are for Mastodon's chart ${MASTODON_CHART.name} ${MASTODON_CHART.version}, but the plan installs ${k.chart.name} ${k.chart.version}`);
  const web = workloadOf(plan, "web");
  const streaming = workloadOf(plan, "streaming");
  const tag = plan.stack.mastodonVersion;
  const webDomain = webDomainOf(spec);
  return {
    image: { repository: MASTODON_IMAGE, tag, pullPolicy: "IfNotPresent" },
    timezone: "UTC",
    revisionPodAnnotation: false,
    podAnnotations: at.secretsRevision === undefined ? {} : { "mastodon-stack/secrets-revision": at.secretsRevision },
    securityContext: CONTAINER_SECURITY,
    mastodon: {
      localDomain: spec.domain,
      webDomain: webDomain === spec.domain ? "" : webDomain,
      alternateDomains: [...spec.alternateDomains],
      locale: spec.mastodon.defaultLocale,
      singleUserMode: spec.mastodon.singleUserMode,
      authorizedFetch: spec.mastodon.authorizedFetch,
      logLevel: { rails: "info", streaming: "info" },
      // The chart's admin Job is a hook with only the predeploy ConfigMap (no REDIS_URL, so no Valkey over TLS).
      createAdmin: { enabled: false },
      // Its migration hooks have the same gap and no resources or deadline: migrations.ts runs ours.
      hooks: { dbPrepare: { enabled: false }, dbMigrate: { enabled: false }, deploySearch: { enabled: false }, s3Upload: { enabled: false } },
      secrets: { existingSecret: SECRETS.app.name },
      extraEnvVars: sharedEnv(spec),
      web: {
        replicas: web.replicas.min,
        workers: String(web.process.workers),
        minThreads: String(web.process.threads),
        maxThreads: String(web.process.threads),
        resources: podResources(web),
        nodeSelector: nodePoolSelector(web.pool),
        extraEnvVars: componentEnv(at, { DB_POOL: String(web.process.dbPool) }),
      },
      streaming: {
        replicas: streaming.replicas.min,
        // STREAMING_CLUSTER_NUM is ignored since 4.2: one Node process per pod, scaled by replicas.
        workers: 1,
        image: { repository: STREAMING_IMAGE, tag },
        // Verified TLS to Postgres as on the VM tier: Node trusts the CA (NODE_EXTRA_CA_CERTS) and
        // streaming turns any DB_SSLMODE but disable/no-verify into verified TLS.
        extraCerts: {
          existingSecret: SECRETS.postgresCa.name,
          existingSecretKeys: { caCert: POSTGRES_CA.key },
          mountName: POSTGRES_CA.volume,
          mountPath: POSTGRES_CA.dir,
          mountFile: POSTGRES_CA.fileName,
          sslMode: "verify-full",
        },
        resources: podResources(streaming),
        nodeSelector: nodePoolSelector(streaming.pool),
        extraEnvVars: componentEnv(at, { DB_POOL: String(streaming.process.dbPool) }),
      },
      // No DB_POOL here: these are shared by every worker, and Mastodon's pool already defaults to each process's -c.
      sidekiq: { workers: sidekiqWorkers(k), extraEnvVars: componentEnv(at, {}) },
      s3: s3Values(spec, at),
      smtp: smtpValues(spec),
    },
    postgresql: postgresValues(spec, at),
    redis: redisValues(at),
    elasticsearch: searchValues(spec, at),
    ingress: { enabled: false },
    httproute: httpRoute(spec, k),
  };
}
