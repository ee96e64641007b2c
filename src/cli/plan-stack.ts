// Plans one stack file the way `npm run plan` does — spec, plan, the program under mocks, the
// files written to plan/<stack>/ — for the plan command and for the pull-request compare, which
// plans the change in-process. A refused stack comes back as its located message, never thrown.
import { buildPlan, CapacityError } from "../plan";
import type { Plan } from "../plan/types";
import type { GraphStats } from "../program/graph";
import type { RecordedResource } from "../program/mocks";
import { SpecError } from "../spec/errors";
import { formatIssue } from "../spec/errors";
import { loadStack, locateInStack } from "../spec/load";
import type { Spec } from "../spec/schema/stack";
import type { OutputFile } from "./output";

export interface PlannedStack {
  spec: Spec;
  plan: Plan;
  resources: RecordedResource[];
  files: OutputFile[];
  graph: GraphStats;
}

export async function planStack(stackFile: string): Promise<PlannedStack | { refused: string }> {
  let spec: Spec;
  let plan: Plan;
  try {
    spec = loadStack(stackFile);
    plan = buildPlan(spec);
  } catch (e) {
    if (e instanceof CapacityError && e.located.length > 0) return { refused: locatedCapacity(stackFile, e) };
    if (e instanceof SpecError || e instanceof CapacityError) return { refused: e.message };
    throw e;
  }
  // Loaded only once the stack is accepted: the Pulumi SDK takes seconds to import, and a
  // refusal should not wait for it.
  const [{ runOffline }, { planOutputs }] = await Promise.all([import("../program/offline.js"), import("./output.js")]);
  const { resources } = await runOffline(spec, plan);
  return { spec, plan, resources, ...planOutputs(plan, resources, spec) };
}

/** A capacity refusal with the stack file's line and column of each value to change. */
function locatedCapacity(stackFile: string, e: CapacityError): string {
  const issues = locateInStack(stackFile, e.located);
  const first = e.message.split("\n")[0]!;
  const unlocated = e.problems.slice(0, e.problems.length - e.located.length).map((p) => `- ${p}`);
  return [first, ...unlocated, ...issues.map(formatIssue)].join("\n");
}

/** A stack with nothing in it: the other side of a comparison for a stack the change adds or deletes. */
export function emptyPlanLike(plan: Plan): Plan & { resourceGraph: { resources: RecordedResource[] } } {
  return {
    ...plan,
    hosts: [],
    cost: { lines: [], totals: {}, total: { currency: plan.cost.total.currency, monthly: 0 } },
    budget: { ...plan.budget, clientTotal: 0, reserve: 0, clientLimit: 0, poolSize: undefined },
    warnings: [],
    resourceGraph: { resources: [] },
  };
}
