// A stack file's spec and plan, refused as the stack file's own problems are: the program
// (src/index.ts, under `pulumi up`) and the offline plan (cli/plan-stack.ts) both plan here, so a
// capacity refusal reads the same in both. No Pulumi import: the offline plan loads this before
// the SDK, so a refusal does not wait for it.
import { buildPlan, CapacityError } from "../plan";
import type { Plan } from "../plan/types";
import { loadStack, locateInStack } from "../spec/load";
import type { Spec } from "../spec/schema/stack";

/**
 * Throws SpecError for the file and CapacityError for the plan — with the line and column of
 * each value to change where the planner can point at one.
 */
export function planStackFile(file: string): { spec: Spec; plan: Plan } {
  const spec = loadStack(file);
  try {
    return { spec, plan: buildPlan(spec) };
  } catch (e) {
    if (e instanceof CapacityError && e.located.length > 0) throw e.locatedIn(locateInStack(file, e.located));
    throw e;
  }
}
