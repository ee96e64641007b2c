// Database migrations as our own Jobs instead of the chart's hooks, which get neither REDIS_URL
// (so no Valkey over TLS) nor resources nor a deadline. The upgrade order the VM tier follows:
// "pre" (db:prepare: the schema on a new database, pre-deployment migrations on an existing one)
// before the release rolls out, "post" (db:migrate: the post-deployment migrations) after it.
// Both bypass the pool, as migrations must (PgBouncer in transaction mode breaks them).
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { Spec } from "../../../spec/schema/stack";
import type { Plan } from "../../types";
import { chartValues, CONTAINER_SECURITY, kubernetesOf, workloadOf } from "../chart-values";
import type { ClusterEndpoints, Lift } from "../cluster-endpoints";
import { chartFullName, MASTODON_IMAGE, nodePoolSelector, ownLabels, POSTGRES_CA, SECRETS } from "../names";
import { chartConfigEnv, sidekiqContainerEnv, type EnvVar } from "./pod-env";

export type MigrationPhase = "pre" | "post";
export type JobManifest<T> = Lift<IJob, T> & { metadata: { name: string; namespace: string } };

const COMMAND: Record<MigrationPhase, string[]> = {
  pre: ["bundle", "exec", "rails", "db:prepare"],
  post: ["bundle", "exec", "rails", "db:migrate"],
};

/**
 * One Rails process that loads the app and walks the migrations: a Sidekiq process's memory
 * (capacity/model.ts SIDEKIQ_PROCESS_MB = 250) with room for a large migration's batches.
 */
export const MIGRATION_RESOURCES = { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1536Mi" } } as const;
/** A migration that runs longer than this is stuck on a lock, not working: the Job fails and the upgrade stops. */
export const MIGRATION_DEADLINE_SECONDS = 2 * 3600;
/** Kept a week after they finish so their logs can be read; Kubernetes then deletes them. */
export const MIGRATION_TTL_SECONDS = 7 * 24 * 3600;

/** Jobs are immutable: each release gets Jobs of its own name (v4.5.2 → mastodon-db-pre-v4-5-2). */
export function migrationJobName(plan: Plan, phase: MigrationPhase): string {
  const k = kubernetesOf(plan);
  return `${chartFullName(k.release)}-db-${phase}-${plan.stack.mastodonVersion.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
}

/**
 * Sidekiq's environment (the chart's ConfigMap and secret entries, REDIS_URL after
 * REDIS_PASSWORD) on the direct connection, with the server verified against the provider's CA
 * (this pod, unlike the chart's, can mount it).
 */
export function migrationEnv<T>(spec: Spec, plan: Plan, at: ClusterEndpoints<T>, phase: MigrationPhase): EnvVar<T>[] {
  const values = chartValues(spec, plan, at);
  const direct = values.postgresql.direct;
  const overrides = new Map<string, string | T>([
    ["DB_HOST", direct.hostname],
    ["DB_PORT", String(direct.port)],
    ["DB_NAME", direct.database],
    ["DB_SSLMODE", "verify-full"],
    ["PGSSLROOTCERT", POSTGRES_CA.file],
    ...(phase === "pre" ? [["SKIP_POST_DEPLOYMENT_MIGRATIONS", "true"] as [string, string]] : []),
  ]);
  const config = chartConfigEnv(values, at).map(([name, value]): [string, string | T] => [name, overrides.has(name) ? overrides.get(name)! : value]);
  const seen = new Set(config.map(([name]) => name));
  const added = [...overrides].filter(([name]) => !seen.has(name)).sort(([a], [b]) => a.localeCompare(b));
  return [...[...config, ...added].map(([name, value]): EnvVar<T> => ({ name, value })), ...sidekiqContainerEnv(values)];
}

export function migrationJob<T>(spec: Spec, plan: Plan, at: ClusterEndpoints<T>, phase: MigrationPhase): JobManifest<T> {
  const k = kubernetesOf(plan);
  const labels = ownLabels(k.release, `db-${phase}`);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: migrationJobName(plan, phase), namespace: k.namespace, labels },
    spec: {
      // One retry for a dropped connection; a migration that fails twice needs a person.
      backoffLimit: 1,
      activeDeadlineSeconds: MIGRATION_DEADLINE_SECONDS,
      ttlSecondsAfterFinished: MIGRATION_TTL_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          // The chart's ServiceAccount does not exist yet when "pre" runs on a new cluster, and Rails needs no API token.
          automountServiceAccountToken: false,
          securityContext: { runAsUser: 991, runAsGroup: 991, fsGroup: 991 },
          nodeSelector: nodePoolSelector(workloadOf(plan, "web").pool),
          volumes: [{ name: POSTGRES_CA.volume, secret: { secretName: SECRETS.postgresCa.name, items: [{ key: POSTGRES_CA.key, path: POSTGRES_CA.fileName }] } }],
          containers: [
            {
              name: `db-${phase}`,
              image: `${MASTODON_IMAGE}:${plan.stack.mastodonVersion}`,
              imagePullPolicy: "IfNotPresent",
              command: COMMAND[phase],
              env: migrationEnv(spec, plan, at, phase),
              resources: { requests: { ...MIGRATION_RESOURCES.requests }, limits: { ...MIGRATION_RESOURCES.limits } },
              securityContext: CONTAINER_SECURITY,
              volumeMounts: [{ name: POSTGRES_CA.volume, mountPath: POSTGRES_CA.dir, readOnly: true }],
            },
          ],
        },
      },
    },
  };
}

/** Both Jobs of the release: "pre" before the chart release rolls out, "post" after it. */
export function migrationJobs<T>(spec: Spec, plan: Plan, at: ClusterEndpoints<T>): Record<MigrationPhase, JobManifest<T>> {
  return { pre: migrationJob(spec, plan, at, "pre"), post: migrationJob(spec, plan, at, "post") };
}
