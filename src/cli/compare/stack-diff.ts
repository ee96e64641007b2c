// Everything the preview says about one stack, from its plan at the base and at the change: the
// plan diff (money, hosts, processes, budget, files, warnings), the cloud resources `pulumi up`
// would create, replace or delete with the data at risk, each changed file's redacted patch, and
// the rollout on the running instance. Pure; `npm run diff` and `npm run plan -- --compare` feed it.
import { keepsDataOnDisk } from "../../components/protection";
import type { Plan } from "../../plan/types";
import type { RecordedResource } from "../../program/mocks";
import { filePatches, type FilePatch } from "./file-patches";
import { diffPlans, type PlanDiff } from "./plan-diff";
import { diffResources, type ResourceDiff } from "./resource-diff";
import { rolloutChange, type RolloutChange } from "./rollout-diff";
import { kubernetesChange, type KubernetesChange } from "./kubernetes-diff";

/** A plan as plan.json holds it: redacted, with the resource graph the program registered. */
export type PlanWithGraph = Plan & { resourceGraph?: { resources?: RecordedResource[] } };

export interface StackDiff extends PlanDiff {
  resources: ResourceDiff;
  patches: Record<string, FilePatch[]>;
  rollout: RolloutChange;
  kubernetes?: KubernetesChange;
}

export function diffStack(before: PlanWithGraph, after: PlanWithGraph, hostsAtOnce: number): StackDiff {
  const plan = diffPlans(before, after);
  const dataHosts = new Set(before.hosts.filter(keepsDataOnDisk).map((h) => h.name));
  const resources = diffResources(before.resourceGraph?.resources ?? [], after.resourceGraph?.resources ?? [], dataHosts);
  const b = new Map(before.hosts.map((h) => [h.name, h]));
  const a = new Map(after.hosts.map((h) => [h.name, h]));
  const patches: Record<string, FilePatch[]> = {};
  for (const name of [...a.keys()].sort()) {
    const p = filePatches(b.get(name), a.get(name));
    if (p.length > 0) patches[name] = p;
  }
  const valuesChanged = resources.changes.some((c) => c.type.endsWith("helm.sh/v3:Release") && c.name.endsWith("-k8s-release") && c.op !== "create" && c.inputs.includes("values"));
  const kubernetes = kubernetesChange(before, after, valuesChanged);
  return { ...plan, resources, patches, rollout: rolloutChange(before, after, plan.hosts, hostsAtOnce), ...(kubernetes ? { kubernetes } : {}) };
}
