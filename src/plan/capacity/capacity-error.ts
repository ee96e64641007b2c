/** A stack that would run out of connections or memory: refused before anything is created. */
export class CapacityError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`the stack does not fit its hosts:\n${problems.map((p) => `- ${p}`).join("\n")}`);
    this.name = "CapacityError";
    this.problems = problems;
  }
}
