import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { SpecError } from "../../src/spec/errors";
import { parseStack } from "../../src/spec/load";
import { ROOT } from "./plans";

export type Doc = Record<string, any>;

export function exampleDoc(name: string): Doc {
  return parse(readFileSync(join(ROOT, "stacks", `${name}.yaml`), "utf8")) as Doc;
}

/** An example stack changed by `edit`, as YAML text. */
export function edited(name: string, edit: (d: Doc) => void): string {
  const d = exampleDoc(name);
  edit(d);
  return stringify(d);
}

/** The SpecError issues for a stack text (fails the test if it parses). */
export function issuesOf(text: string, file = "test.yaml") {
  try {
    parseStack(text, file);
  } catch (e) {
    if (e instanceof SpecError) return e.issues;
    throw e;
  }
  throw new Error("expected the stack to be refused, but it parsed");
}
