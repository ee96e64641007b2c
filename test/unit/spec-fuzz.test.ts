// Property-based bad input: thousands of invalid stacks, each refused with a SpecError that
// names a path and a line; nothing else may be thrown.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { SpecError } from "../../src/spec/errors";
import { parseStack } from "../../src/spec/load";
import { EXAMPLES } from "../helpers/plans";
import { exampleDoc, type Doc } from "../helpers/stacks";

type Loc = (string | number)[];
const docs = EXAMPLES.map(exampleDoc);
const REQUIRED = ["name", "domain", "mastodon", "provider", "network", "hosts", "postgres", "redis", "media"];

function walk(v: unknown, at: Loc, objects: Loc[], leaves: Loc[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i], objects, leaves));
  else if (v !== null && typeof v === "object") {
    objects.push(at);
    for (const [k, x] of Object.entries(v)) walk(x, [...at, k], objects, leaves);
  } else leaves.push(at);
}

const shapes = docs.map((d) => {
  const objects: Loc[] = [];
  const leaves: Loc[] = [];
  walk(d, [], objects, leaves);
  return { objects, leaves };
});

function get(d: unknown, loc: Loc): unknown {
  return loc.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], d);
}
function set(d: Doc, loc: Loc, value: unknown): void {
  const parent = get(d, loc.slice(0, -1)) as Record<string | number, unknown>;
  parent[loc.at(-1)!] = value;
}

/** A value of a type no leaf accepts in place of `current`. */
function wrongType(current: unknown, junk: string): unknown {
  if (typeof current === "number") return `${junk}x`;
  if (typeof current === "boolean") return 7;
  return { [`k${junk.length}`]: junk };
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("unknownKey" as const), ex: fc.nat(), at: fc.nat(), key: fc.stringMatching(/^[a-z][a-zA-Z]{0,11}$/) }),
  fc.record({ kind: fc.constant("wrongType" as const), ex: fc.nat(), at: fc.nat(), junk: fc.string({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant("dropRequired" as const), ex: fc.nat(), at: fc.nat(), key: fc.constant("") }),
  fc.record({ kind: fc.constant("notAnObject" as const), ex: fc.nat(), at: fc.nat(), junk: fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer())) }),
);

test("1,500 generated invalid stacks are each refused with a located error", () => {
  let counted = 0;
  fc.assert(
    fc.property(mutation, (m) => {
      const ex = m.ex % docs.length;
      let d: unknown = structuredClone(docs[ex]);
      const { objects, leaves } = shapes[ex]!;
      if (m.kind === "unknownKey") {
        const loc = objects[m.at % objects.length]!;
        const target = get(d, loc) as Record<string, unknown>;
        const key = `zz${m.key}`;
        target[key] = 1;
      } else if (m.kind === "wrongType") {
        const loc = leaves[m.at % leaves.length]!;
        set(d as Doc, loc, wrongType(get(d, loc), m.junk));
      } else if (m.kind === "dropRequired") {
        delete (d as Doc)[REQUIRED[m.at % REQUIRED.length]!];
      } else {
        d = m.junk;
      }
      const text = typeof d === "object" ? stringify(d) : JSON.stringify(d);
      let error: unknown;
      try {
        parseStack(text, "fuzz.yaml");
      } catch (e) {
        error = e;
      }
      assert.ok(error instanceof SpecError, `expected a SpecError for ${m.kind}, got ${String(error)}\n${text}`);
      assert.ok(error.issues.length > 0);
      for (const i of error.issues) {
        assert.ok(i.line >= 1 && i.col >= 1, `issue without a position: ${JSON.stringify(i)}`);
        assert.ok(i.path.length > 0 && i.message.length > 0);
      }
      if (m.kind !== "notAnObject") assert.ok(error.issues.some((i) => i.path !== "(top level)"), `no path named: ${error.message}`);
      counted++;
    }),
    { numRuns: 1500, seed: 20261124 },
  );
  assert.equal(counted, 1500);
});

test("random text never crashes the loader", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        parseStack(text, "random.yaml");
      } catch (e) {
        assert.ok(e instanceof SpecError, `unexpected ${String(e)} for ${JSON.stringify(text)}`);
      }
    }),
    { numRuns: 500, seed: 7 },
  );
});
