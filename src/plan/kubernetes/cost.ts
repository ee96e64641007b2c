// The cluster's own cost lines: the control plane, each node pool at its minimum (and what it
// reaches at its maximum), and the load balancer the Gateway's Service creates.
import { catalogFor } from "../../catalog";
import type { Spec } from "../../spec/schema/stack";
import type { CostLine, KubernetesPlan } from "../types";

const round2 = (n: number) => Math.round(n * 100) / 100;

export function kubernetesCostLines(spec: Spec, k: KubernetesPlan): CostLine[] {
  const cat = catalogFor(spec.provider.cloud);
  const doks = cat.kubernetes;
  if (!doks) throw new Error(`${spec.provider.cloud} has no managed Kubernetes in the catalog`);
  const src = (s: { url: string; checked: string }) => `${s.url} (${s.checked === "unconfirmed" ? "not confirmed: the page was not reachable" : `checked ${s.checked}`})`;
  const lines: CostLine[] = [
    {
      resource: "kubernetes control plane",
      billed: { kind: "kubernetes" },
      detail: k.highAvailability ? "highly available control plane" : "control plane (free without high availability)",
      currency: cat.currency,
      monthly: k.highAvailability ? doks.haControlPlaneMonthly : doks.controlPlaneMonthly,
      source: src(doks.source),
    },
  ];
  for (const p of k.nodePools) {
    const each = cat.servers[p.size]!.monthly;
    lines.push({
      resource: `node pool ${p.name}`,
      billed: { kind: "nodePool", host: p.name },
      detail: `${p.minNodes}–${p.maxNodes} × ${p.size} (${p.vcpu} vCPU, ${p.memoryMb} MB) at ${each} each; the planned pods need ${p.nodesAtMin} at minimum and ${p.nodesAtMax} at maximum replicas`,
      currency: cat.currency,
      monthly: round2(each * p.minNodes),
      maxMonthly: round2(each * p.maxNodes),
      source: src(cat.source),
    });
  }
  lines.push({ resource: "load balancer", billed: { kind: "loadBalancer" }, detail: "created by the cluster's Gateway (smallest size)", currency: cat.currency, monthly: cat.loadBalancerMonthly, source: src(cat.source) });
  return lines;
}
