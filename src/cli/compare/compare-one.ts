// `npm run plan -- --compare <git ref | directory>`: one stack against its base — the plan.json an
// earlier `npm run plan --out DIR` wrote, or the same stack file at a git ref (merge base with
// HEAD), planned in a worktree by that commit's own planner.
import { existsSync } from "node:fs";
import { relative } from "node:path";
import type { PlannedStack } from "../plan-stack";
import { readBasePlan } from "./base-plan";
import type { StackOutcome } from "./comment";
import { baseWorktree, filesAt, GitError, resolveBase } from "./git-base";
import { stackOutcome } from "./outcome";

export function compareWith(compare: string, stackFile: string, head: PlannedStack): StackOutcome | { error: string } {
  if (existsSync(compare)) {
    const base = readBasePlan(compare, head.spec.name);
    return "plan" in base ? stackOutcome(stackFile, head, { plan: base.plan }, []) : stackOutcome(stackFile, head, undefined, [base.missing]);
  }
  let base;
  try {
    base = resolveBase(process.cwd(), compare);
  } catch (e) {
    if (e instanceof GitError) return { error: `--compare ${compare}: neither a plan directory nor a git ref (${e.message})` };
    throw e;
  }
  const path = relative(base.repo, stackFile);
  if (!filesAt(base, "stacks").includes(path)) return stackOutcome(stackFile, head, undefined, [`${path} is new since ${compare}`]);
  const tree = baseWorktree(base);
  try {
    return stackOutcome(stackFile, head, tree.plan(path), []);
  } finally {
    tree.remove();
  }
}
