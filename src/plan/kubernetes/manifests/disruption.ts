// PodDisruptionBudgets: a node drain (DOKS upgrades, the cluster autoscaler removing a node) takes
// web and streaming pods one at a time. The chart's own `pdb.enable` values are read by no
// template in 1.0.2, so the budgets are ours.
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { Plan } from "../../types";
import { kubernetesOf } from "../chart-values";
import { deploymentName, ownLabels, podSelector } from "../names";

/** Web and streaming with at least two replicas (with one, a budget would block every drain). */
export function podDisruptionBudgets(plan: Plan): (IPodDisruptionBudget & { metadata: { name: string; namespace: string } })[] {
  const k = kubernetesOf(plan);
  return k.workloads
    .filter((w) => (w.kind === "web" || w.kind === "streaming") && w.replicas.min >= 2)
    .map((w) => ({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: deploymentName(k.release, w), namespace: k.namespace, labels: ownLabels(k.release, w.name) },
      // maxUnavailable, not minAvailable: it stays right whatever the autoscaler has scaled to.
      spec: { maxUnavailable: 1, selector: { matchLabels: podSelector(k.release, w) } },
    }));
}
