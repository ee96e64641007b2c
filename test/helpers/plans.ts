import { join } from "node:path";
import { buildPlan, type Plan } from "../../src/plan";
import { loadStack } from "../../src/spec/load";

export const ROOT = join(__dirname, "..", "..");
export const EXAMPLES = ["prod", "single", "hobby"] as const;

const cache = new Map<string, Plan>();

/** The plan of stacks/<name>.yaml (built once per test process). */
export function examplePlan(name: string): Plan {
  let plan = cache.get(name);
  if (!plan) {
    plan = buildPlan(loadStack(join(ROOT, "stacks", `${name}.yaml`)));
    cache.set(name, plan);
  }
  return plan;
}
