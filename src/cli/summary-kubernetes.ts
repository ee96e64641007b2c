// The Kubernetes part of summary.md: node pools at minimum and maximum, and every workload with
// what one pod runs and requests, its replicas and what scales it.
import { formatCount, formatMoney } from "../plan/format";
import type { Autoscale, KubernetesPlan, Plan } from "../plan/types";

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

const scaling = (a: Autoscale): string =>
  a.kind === "fixed" ? "fixed" : a.kind === "cpu" ? `CPU > ${a.targetPercent} % of request (HPA)` : `backlog of ${formatCount(a.backlogPerReplica)} jobs per replica in ${a.queues.map((q) => `queue:${q}`).join(", ")} (KEDA)`;

const cpu = (m: number) => `${m}m`;

export function kubernetesMarkdown(plan: Plan, k: KubernetesPlan): string[] {
  const out: string[] = ["## Kubernetes", ""];
  out.push(`DigitalOcean Kubernetes ${k.version} (newest patch)${k.highAvailability ? " with a highly available control plane" : ""}, VPC-native (pods ${k.podCidr}, services ${k.serviceCidr}); Mastodon's chart ${k.chart.name} ${k.chart.version} as Helm release \`${k.release}\` in namespace \`${k.namespace}\`; add-ons ${k.addons.map((a) => `${a.name} ${a.version}`).join(", ")}.`, "");
  out.push("### Node pools", "", table(
    ["pool", "size", "for pods per node", "nodes min–max", "requested at min", "nodes needed at min", "requested at max", "nodes needed at max"],
    k.nodePools.map((p) => [p.name, p.size, `${formatCount(p.allocatable.memoryMb)} MB, ${cpu(p.allocatable.cpuMillis)}`, `${p.minNodes}–${p.maxNodes}`, `${formatCount(p.requestedAtMin.memoryMb)} MB, ${cpu(p.requestedAtMin.cpuMillis)}`, p.nodesAtMin, `${formatCount(p.requestedAtMax.memoryMb)} MB, ${cpu(p.requestedAtMax.cpuMillis)}`, p.nodesAtMax]),
  ), "", "Per node, pods get the node's memory less the kubelet's reservation, DOKS's system pods and the stack's memory headroom; nodes needed are the pods packed first-fit by memory and CPU.", "");
  out.push("### Workloads", "", table(
    ["workload", "pool", "replicas", "scales on", "per pod", "DB connections per pod", "requests", "memory limit"],
    k.workloads.map((w) => {
      const p = w.process;
      const perPod = p.kind === "web" ? `${p.workers} Puma workers × ${p.threads} threads` : p.kind === "streaming" ? "1 streaming process" : `${p.threads} threads: ${(p.queues ?? []).join(", ")}`;
      return [w.name, w.pool, w.replicas.min === w.replicas.max ? w.replicas.min : `${w.replicas.min}–${w.replicas.max}`, scaling(w.autoscale), perPod, p.connections, `${formatCount(w.requests.memoryMb)} MB, ${cpu(w.requests.cpuMillis)}`, `${formatCount(w.limits.memoryMb)} MB`];
    }),
  ), "");
  const atMax = plan.cost.totalAtMax;
  if (atMax !== undefined) out.push(`With every node pool at its maximum the instance costs ${formatMoney(atMax, plan.cost.total.currency)} per month.`, "");
  return out;
}
