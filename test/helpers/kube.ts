// The Kubernetes example stack, its plan and the endpoints the components would pass, for the
// pure builders' tests.
import { join } from "node:path";
import { buildPlan, type Plan } from "../../src/plan";
import { plainEndpoints, type ClusterEndpoints } from "../../src/plan/kubernetes/cluster-endpoints";
import type { KubernetesPlan, PlannedWorkload } from "../../src/plan/types";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import { ROOT } from "./plans";

export const KUBE_STACK = join(ROOT, "stacks", "kubernetes.yaml");

/** Hostnames as DigitalOcean would name them: recognisable in a render, never a secret. */
export const AT: ClusterEndpoints<string> = plainEndpoints({
  postgresHost: "private-pg.db.ondigitalocean.com",
  redisHost: "private-valkey.db.ondigitalocean.com",
  searchHost: "search.db.ondigitalocean.com",
  mediaAliasHost: "large-media.nyc3.cdn.digitaloceanspaces.com",
});

function workload(name: string, kind: PlannedWorkload["kind"], w: { workers: number; threads: number; queues?: PlannedWorkload["process"]["queues"] }, replicas: { min: number; max: number }, autoscale: PlannedWorkload["autoscale"], cpuMillis: number, memoryMb: number): PlannedWorkload {
  const process = { kind, unit: name, workers: w.workers, threads: w.threads, dbPool: w.threads, connections: w.workers * w.threads, memoryMb, ...(w.queues ? { queues: w.queues } : {}) };
  return { name, kind, pool: "apps", replicas, autoscale: replicas.min === replicas.max ? { kind: "fixed" } : autoscale, process, requests: { cpuMillis, memoryMb }, limits: { memoryMb: Math.ceil(memoryMb * 1.5) }, at: ["kubernetes"] };
}

/** A KubernetesPlan made the way the planner makes one, for as long as the planner is not on this branch. */
function handPlan(spec: Spec): KubernetesPlan {
  const k = spec.kubernetes!;
  return {
    version: k.version,
    highAvailability: k.highAvailability,
    podCidr: k.podCidr,
    serviceCidr: k.serviceCidr,
    namespace: "mastodon",
    release: "mastodon",
    chart: { repository: "https://mastodon.github.io/helm-charts/", name: "mastodon", version: "1.0.2" },
    nodePools: [],
    workloads: [
      workload("web", "web", { workers: k.web.workers, threads: k.web.threads }, k.web.replicas, { kind: "cpu", targetPercent: k.web.cpuTargetPercent }, 1330, 790),
      { ...workload("streaming", "streaming", { workers: 1, threads: 1 }, k.streaming.replicas, { kind: "cpu", targetPercent: k.streaming.cpuTargetPercent }, 250, 160), process: { kind: "streaming", unit: "streaming", workers: 1, threads: 1, dbPool: 10, connections: 10, memoryMb: 160 } },
      ...(k.sidekiq ?? []).map((g) =>
        workload(`sidekiq-${g.name ?? g.queues.join("-")}`, "sidekiq", { workers: 1, threads: g.threads, queues: [...g.queues] }, g.replicas, g.queues.includes("scheduler") ? { kind: "fixed" } : { kind: "queues", queues: [...g.queues], backlogPerReplica: g.backlogPerReplica }, g.threads * 17, 250 + g.threads * 10),
      ),
    ],
    addons: [],
  };
}

let cached: { spec: Spec; plan: Plan } | undefined;

/** stacks/kubernetes.yaml and its plan. */
export function kubeExample(): { spec: Spec; plan: Plan } {
  if (!cached) {
    const spec = loadStack(KUBE_STACK);
    const plan = buildPlan(spec);
    cached = { spec, plan: plan.kubernetes ? plan : { ...plan, kubernetes: handPlan(spec) } };
  }
  return cached;
}
