// Plans one stack file the way `npm run plan` does — spec, plan, the program under mocks, the
// files written to plan/<stack>/ — for the plan command and for the pull-request compare, which
// plans the change in-process. A refused stack comes back as its located message, never thrown.
import { CapacityError } from "../plan";
import type { Plan } from "../plan/types";
import type { GraphStats } from "../program/graph";
import type { RecordedResource } from "../program/mocks";
import { planStackFile } from "../program/plan-file";
import { SpecError } from "../spec/errors";
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
    ({ spec, plan } = planStackFile(stackFile));
  } catch (e) {
    if (e instanceof SpecError || e instanceof CapacityError) return { refused: e.message };
    throw e;
  }
  // Loaded only once the stack is accepted: the Pulumi SDK takes seconds to import, and a
  // refusal should not wait for it.
  const [{ runOffline }, { planOutputs }] = await Promise.all([import("../program/offline.js"), import("./output.js")]);
  const { resources } = await runOffline(spec, plan);
  return { spec, plan, resources, ...planOutputs(plan, resources, spec) };
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
