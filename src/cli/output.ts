// What `npm run plan` writes: plan/<stack>/{summary.md, plan.json, files/<host>/<path>}.
// Built entirely in memory first, so a refused stack writes nothing.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { redact } from "../plan/render/placeholders";
import type { Plan } from "../plan/types";
import { graphStats, type GraphStats } from "../program/graph";
import type { RecordedResource } from "../program/mocks";
import { summaryMarkdown } from "./summary";
import { kubernetesFiles } from "./kubernetes-files";
import type { Spec } from "../spec/schema/stack";

export interface OutputFile {
  /** Relative to the plan directory. */
  path: string;
  content: string;
}

/** The plan with every secret redacted, as it is written to plan.json. */
export function redactedPlan(plan: Plan): Plan {
  return {
    ...plan,
    hosts: plan.hosts.map((h) => ({ ...h, userData: redact(h.userData), files: h.files.map((f) => ({ ...f, content: redact(f.content) })) })),
  };
}

/** Every file of plan/<stack>/, and the graph statistics it reports (computed once, for the terminal too). */
export function planOutputs(plan: Plan, resources: readonly RecordedResource[], spec?: Spec): { files: OutputFile[]; graph: GraphStats } {
  const safe = redactedPlan(plan);
  const graph = graphStats(resources);
  const files: OutputFile[] = [
    { path: "summary.md", content: summaryMarkdown(plan, resources, graph) },
    // plan.json: the plan, redacted, and the resource graph the program registers (inputs redacted).
    { path: "plan.json", content: `${JSON.stringify({ ...safe, resourceGraph: { ...graph, resources } }, null, 2)}\n` },
  ];
  for (const h of safe.hosts) {
    files.push({ path: join("files", h.name, "cloud-init", "user-data.yaml"), content: h.userData });
    for (const f of h.files) files.push({ path: join("files", h.name, f.path), content: f.content });
  }
  // On Kubernetes: the chart values and our own objects (the spec holds what they are built from).
  if (plan.kubernetes && spec) files.push(...kubernetesFiles(spec, plan));
  return { files, graph };
}

export function writePlan(dir: string, files: readonly OutputFile[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
  }
}
