// What a change does to a stack on Kubernetes, beside the resource diff: each workload's pod
// (Puma workers × threads, Sidekiq threads and queues), replicas and requests; each node pool's
// range and the nodes it needs at maximum; the cost with every pool at its maximum; and what
// `pulumi up` then runs on the cluster (migration Jobs, the chart's rolling update).
import type { KubernetesPlan, Plan, PlannedWorkload } from "../../plan/types";
import type { Change } from "./plan-diff";

export interface WorkloadChange {
  name: string;
  before?: string;
  after?: string;
}

export interface KubernetesChange {
  workloads: WorkloadChange[];
  pools: WorkloadChange[];
  costAtMax: Change<number | undefined>;
  /** What `pulumi up` runs on the cluster, in order. */
  rollout: string[];
}

const range = (r: { min: number; max: number }) => (r.min === r.max ? `${r.min}` : `${r.min}–${r.max}`);

function describeWorkload(w: PlannedWorkload): string {
  const p = w.process;
  const pod = p.kind === "web" ? `${p.workers} × ${p.threads} Puma` : p.kind === "streaming" ? "streaming" : `${p.threads} threads (${(p.queues ?? []).join(", ")})`;
  return `${pod}, ${range(w.replicas)} replicas, ${w.requests.memoryMb} MB / ${w.requests.cpuMillis}m, on ${w.pool}`;
}

function changes<T extends { name: string }>(before: readonly T[], after: readonly T[], show: (x: T) => string): WorkloadChange[] {
  const b = new Map(before.map((x) => [x.name, show(x)]));
  const a = new Map(after.map((x) => [x.name, show(x)]));
  return [...new Set([...b.keys(), ...a.keys()])]
    .filter((n) => b.get(n) !== a.get(n))
    .map((name) => ({ name, ...(b.has(name) ? { before: b.get(name)! } : {}), ...(a.has(name) ? { after: a.get(name)! } : {}) }));
}

const pool = (p: KubernetesPlan["nodePools"][number]) => `${p.minNodes}–${p.maxNodes} × ${p.size}, needs ${p.nodesAtMin} at min and ${p.nodesAtMax} at max replicas`;

/** Undefined unless one side runs on Kubernetes. */
export function kubernetesChange(before: Plan, after: Plan, valuesChanged: boolean): KubernetesChange | undefined {
  const b = before.kubernetes;
  const a = after.kubernetes;
  if (!b && !a) return undefined;
  const workloads = changes(b?.workloads ?? [], a?.workloads ?? [], describeWorkload);
  const rollout: string[] = [];
  const upgrade = b && a && before.stack.mastodonVersion !== after.stack.mastodonVersion;
  if (upgrade) rollout.push(`Upgrade ${before.stack.mastodonVersion} → ${after.stack.mastodonVersion}: the pre-deployment migration Job runs to completion, then the chart's release rolls every Deployment to the new image, then the post-deployment migration Job.`);
  else if (b && a && valuesChanged) {
    const rolling = workloads.filter((w) => w.before && w.after).map((w) => w.name);
    rollout.push(`The chart's release upgrades${rolling.length ? `: ${rolling.join(", ")} ${rolling.length === 1 ? "rolls" : "roll"} to new pods (web and streaming one at a time, Sidekiq recreated)` : ""}; autoscaled Deployments start again from their minimum until KEDA or the HPA scale them back.`);
  }
  return { workloads, pools: changes(b?.nodePools ?? [], a?.nodePools ?? [], pool), costAtMax: { before: before.cost.totalAtMax, after: after.cost.totalAtMax }, rollout };
}
