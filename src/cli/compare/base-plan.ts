// The base side of a comparison: the plan.json an earlier `npm run plan` wrote (for the pull
// request's base commit), found in its output directory or named directly. A stack the base
// does not have (new in the change), or a base that did not plan, is said plainly, never a crash.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../../plan/types";
import type { PlanWithGraph } from "./stack-diff";

export type BasePlan = { plan: PlanWithGraph; path: string } | { missing: string };

function isPlan(v: unknown): v is Plan {
  const p = v as Partial<Plan> | null;
  const hostOk = (h: unknown) => {
    const x = h as Partial<Plan["hosts"][number]> | null;
    return !!x && typeof x.name === "string" && typeof x.userData === "string" && Array.isArray(x.files) && Array.isArray(x.processes) && typeof x.memory?.headroomMb === "number";
  };
  return !!p && typeof p === "object" && Array.isArray(p.hosts) && p.hosts.every(hostOk) && Array.isArray(p.cost?.lines) && typeof p.cost?.total?.monthly === "number" && Array.isArray(p.warnings) && typeof p.budget === "object" && typeof p.stack?.name === "string";
}

export function readBasePlan(compare: string, stack: string): BasePlan {
  const candidates = [join(compare, stack, "plan.json"), compare];
  const path = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (!path) return { missing: `no base plan for ${stack} at ${compare} (a new stack, or the base did not plan)` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    return { missing: `the base plan ${path} is not JSON (${(e as Error).message})` };
  }
  if (!isPlan(parsed)) return { missing: `${path} is not a plan written by npm run plan` };
  return { plan: parsed, path };
}
