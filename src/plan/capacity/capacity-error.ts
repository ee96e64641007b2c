import { formatIssue, formatPath, type SpecIssue } from "../../spec/errors";

/** A problem the planner can point at in the stack file: the path of the value to change. */
export interface LocatedProblem {
  path: (string | number)[];
  message: string;
  fix: string;
}

/**
 * A stack that would run out of connections or memory: refused before anything is created.
 * Located problems carry the stack-file path to change; once their line and column are known
 * (locatedIn), the message gives those as a spec error does.
 */
export class CapacityError extends Error {
  /** Problems with no one value to point at (the VM tier's: a host's memory, the budget). */
  readonly problems: readonly string[];
  readonly located: readonly LocatedProblem[];
  private readonly what: string;

  constructor(problems: string[], located: LocatedProblem[] = [], what = "its hosts", issues?: readonly SpecIssue[]) {
    const lines = [
      ...problems.map((p) => `- ${p}`),
      ...(issues ? issues.map(formatIssue) : located.map((p) => `- ${formatPath(p.path)}: ${p.message}\n  fix: ${p.fix}`)),
    ];
    super(`the stack does not fit ${what}:\n${lines.join("\n")}`);
    this.name = "CapacityError";
    this.problems = problems;
    this.located = located;
    this.what = what;
  }

  /** The same refusal, its located problems given as file:line:col (issues in the order of `located`). */
  locatedIn(issues: readonly SpecIssue[]): CapacityError {
    return new CapacityError([...this.problems], [...this.located], this.what, issues);
  }
}
