import { existsSync, readdirSync } from "node:fs";
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

/** The PostgreSQL major installed on this machine (the real-tool tests run the rendered configs on it). */
export function installedPostgres(): string | undefined {
  if (!existsSync("/usr/lib/postgresql")) return undefined;
  return readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
}

/** The example's plan with its self-hosted PostgreSQL at this machine's major (the rendered files differ only in paths and version). */
export function examplePlanOnThisMachine(name: string): Plan {
  const spec = loadStack(join(ROOT, "stacks", `${name}.yaml`));
  const version = installedPostgres() as NonNullable<typeof spec.postgres.selfHosted>["version"] | undefined;
  const pg = spec.postgres.selfHosted;
  return buildPlan(pg && version ? { ...spec, postgres: { ...spec.postgres, selfHosted: { ...pg, version } } } : spec);
}
