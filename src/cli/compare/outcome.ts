// One stack's outcome in a comparison, from what each side's planner gave: the change planned or
// refused, the base planned, failed or absent. A side that is absent (a stack the change adds or
// deletes) or whose base did not plan is compared with an empty stack, so its whole cost and every
// resource still show — never a missing comment.
import { redactedPlan } from "../output";
import { emptyPlanLike, type PlannedStack } from "../plan-stack";
import type { StackOutcome } from "./comment";
import { diffStack, type PlanWithGraph } from "./stack-diff";

export type BaseSide = { plan: PlanWithGraph } | { failed: string } | undefined;
export type HeadSide = PlannedStack | { refused: string } | undefined;

const firstLines = (s: string, n = 6) => s.split("\n").slice(0, n).join(" ").replace(/\s+/g, " ").trim();

export function stackOutcome(file: string, head: HeadSide, base: BaseSide, notes: readonly string[]): StackOutcome {
  const said = [...notes];
  const basePlan = base && "plan" in base ? base.plan : undefined;
  if (base && "failed" in base) said.push(`the base did not plan (${firstLines(base.failed)}); compared with an empty stack`);
  if (head && "refused" in head) return { stack: basePlan?.stack.name ?? file, file, notes: said, refused: head.refused };
  const after: PlanWithGraph | undefined = head ? { ...redactedPlan(head.plan), resourceGraph: { resources: head.resources } } : undefined;
  const before = basePlan ?? (after ? emptyPlanLike(after) : undefined);
  if (!before) return { stack: file, file, notes: said };
  const diff = diffStack(before, after ?? emptyPlanLike(before), head?.spec.rollout.hostsAtOnce ?? 1);
  return { stack: (after ?? before).stack.name, file, notes: said, diff };
}
