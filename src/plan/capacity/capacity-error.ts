/** A problem the planner can point at in the stack file: the path of the value to change. */
export interface LocatedProblem {
  path: (string | number)[];
  message: string;
  fix: string;
}

const dotted = (path: readonly (string | number)[]) => path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s ? `${s}.${p}` : p), "");

/**
 * A stack that would run out of connections or memory: refused before anything is created.
 * Located problems carry the stack-file path to change, so the CLI can give their line and column.
 */
export class CapacityError extends Error {
  readonly problems: readonly string[];
  readonly located: readonly LocatedProblem[];

  constructor(problems: string[], located: LocatedProblem[] = [], what = "its hosts") {
    const lines = [...problems.map((p) => `- ${p}`), ...located.map((p) => `- ${dotted(p.path)}: ${p.message}\n  fix: ${p.fix}`)];
    super(`the stack does not fit ${what}:\n${lines.join("\n")}`);
    this.name = "CapacityError";
    this.problems = [...problems, ...located.map((p) => `${dotted(p.path)}: ${p.message}; fix: ${p.fix}`)];
    this.located = located;
  }
}
