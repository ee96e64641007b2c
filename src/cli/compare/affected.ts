// Which stacks a change affects: a stack file it adds, edits, renames or deletes, or every stack
// when it touches what renders them (the program, the templates, the schema, the dependencies).
import type { PathChange } from "./git-base";

/** Paths whose change can change any stack's plan. */
const RENDERS = [/^src\//, /^templates\//, /^schema\//, /^package(-lock)?\.json$/, /^tsconfig\.json$/];
const STACK = /^stacks\/[^/]+\.ya?ml$/;

export interface AffectedStack {
  /** At the change; undefined when the change deletes it. */
  file?: string;
  /** At the base; undefined when the change adds it. */
  baseFile?: string;
  notes: string[];
}

export interface Affected {
  stacks: AffectedStack[];
  reason: string;
}

export function affectedStacks(changes: readonly PathChange[], headStacks: readonly string[], baseStacks: readonly string[]): Affected {
  const renders = changes.filter((c) => RENDERS.some((r) => r.test(c.path)));
  const out = new Map<string, AffectedStack>();
  const inBase = new Set(baseStacks);
  if (renders.length > 0) for (const f of headStacks) out.set(f, { file: f, ...(inBase.has(f) ? { baseFile: f } : {}), notes: [] });
  for (const c of changes) {
    if (c.status === "R" && STACK.test(c.path) && c.from && STACK.test(c.from)) out.set(c.path, { file: c.path, baseFile: c.from, notes: [`renamed from \`${c.from}\``] });
    else if (c.status === "R" && c.from && STACK.test(c.from)) out.set(c.from, { baseFile: c.from, notes: ["deleted by this change (moved out of stacks/)"] });
    else if (!STACK.test(c.path)) continue;
    else if (c.status === "D") out.set(c.path, { baseFile: c.path, notes: ["deleted by this change"] });
    else if (c.status === "A" || !inBase.has(c.path)) out.set(c.path, { file: c.path, notes: ["new in this change"] });
    else out.set(c.path, { file: c.path, baseFile: c.path, notes: [] });
  }
  const stackFiles = changes.filter((c) => STACK.test(c.path) || (c.from !== undefined && STACK.test(c.from))).length;
  const parts = [
    ...(stackFiles ? [`${stackFiles} stack file${stackFiles === 1 ? "" : "s"} changed`] : []),
    ...(renders.length ? [`${renders.length} file${renders.length === 1 ? "" : "s"} that render every stack changed (${renders.slice(0, 3).map((c) => `\`${c.path}\``).join(", ")}${renders.length > 3 ? ", …" : ""})`] : []),
  ];
  return { stacks: [...out.values()].sort((a, b) => (a.file ?? a.baseFile!).localeCompare(b.file ?? b.baseFile!)), reason: parts.join("; ") || "nothing that renders a stack changed" };
}
