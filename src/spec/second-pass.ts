// The cross-field rules need a whole, defaulted Spec, which a stack with shape errors does not
// give. Without this, fixing two shape errors would uncover six rule errors on the next run.
// So the shape errors are set aside: each offending value is removed (its default, if it has
// one, takes its place) and the rest of the stack is checked against the rules. A rule finding
// that touches a removed value (at it, inside it, or about a section that holds it) could be an
// artefact of the removal, so it is dropped; if the stack still has no valid shape without
// those values (a required one was wrong), only the shape errors are reported.
import type { z } from "zod";
import { checkRules, type Path, type RuleIssue } from "./rules";
import { Stack } from "./schema/stack";

type Container = Record<string | number, unknown>;

function containerAt(root: unknown, path: Path): Container | undefined {
  let v: unknown = root;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Container)[p] : undefined;
  return v !== null && typeof v === "object" ? (v as Container) : undefined;
}

const related = (a: Path, b: Path): boolean => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Rule issues of the stack once its shape errors are taken out, or none if it cannot be made whole. */
export function rulesDespiteShape(raw: unknown, issues: readonly z.core.$ZodIssue[]): RuleIssue[] {
  const copy: unknown = structuredClone(raw);
  const removed: Path[] = [];
  const spliced = new Map<unknown[], Set<number>>();
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const at = containerAt(copy, path);
      for (const key of issue.keys) if (at) delete at[key];
      continue;
    }
    if (path.length === 0) return [];
    // Without its hosts (a list of the wrong size) every name they held would look missing.
    if (path.length === 1 && path[0] === "hosts") return [];
    const parentPath = path.slice(0, -1);
    const parent = containerAt(copy, parentPath);
    const last = path.at(-1)!;
    if (!parent) return [];
    if (Array.isArray(parent) && typeof last === "number") {
      // Removing a whole host (or any object in a list) would shift the indexes the rules
      // report and make names it held look missing: too much guessing.
      if (parent[last] !== null && typeof parent[last] === "object") return [];
      const set = spliced.get(parent) ?? new Set<number>();
      set.add(last);
      spliced.set(parent, set);
      removed.push(parentPath);
    } else {
      delete parent[last];
      removed.push(path);
    }
  }
  for (const [list, indexes] of spliced) {
    for (const i of [...indexes].sort((a, b) => b - a)) list.splice(i, 1);
  }
  const reparsed = Stack.safeParse(copy);
  if (!reparsed.success) return [];
  return checkRules(reparsed.data).filter((r) => !removed.some((p) => related(r.path, p)));
}
