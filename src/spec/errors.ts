import type { Path } from "./rules";

export interface SpecIssue {
  file: string;
  line: number;
  col: number;
  /** hosts[2].roles[0] */
  path: string;
  message: string;
  fix: string;
}

export function formatPath(path: Path): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  return out === "" ? "(top level)" : out;
}

export function formatIssue(i: SpecIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path}: ${i.message}${i.fix ? `\n  fix: ${i.fix}` : ""}`;
}

/** A stack file that cannot be planned: carries every problem found, in file order. */
export class SpecError extends Error {
  readonly issues: readonly SpecIssue[];

  constructor(issues: SpecIssue[]) {
    const sorted = [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
    super(`${sorted.length} problem${sorted.length === 1 ? "" : "s"} in the stack file:\n${sorted.map(formatIssue).join("\n")}`);
    this.name = "SpecError";
    this.issues = sorted;
  }
}
