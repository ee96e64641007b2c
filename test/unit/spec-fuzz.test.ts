// Property-based bad input: thousands of invalid stacks, each refused with a SpecError that
// names a path and a line; nothing else may be thrown.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { SpecError } from "../../src/spec/errors";
import { parseStack } from "../../src/spec/load";
import { EXAMPLES, ROOT } from "../helpers/plans";
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

// The whole CLI on generated files: edits that keep a stack's shape plausible but push the values
// the renderers consume (unit names, schedules, paths, mail text, addressing, counts), plus YAML
// damage. Whatever the stack, `plan` exits 0 or refuses with a located error (exit 1): never
// a renderer's stack trace (exit 2) or a signal. Each child costs seconds (tsx, and the Pulumi
// SDK for an accepted stack), so the run count stays small and children run side by side.
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const text = fc.string({ unit: fc.constantFrom(..."ab @<>\"$\\`'.-_\t\n{}&|"), maxLength: 12 });
const edit = fc.oneof(
  // Names and queues from a small set, so groups often resolve to the same unit name.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("groups" as const), names: fc.array(fc.option(fc.constantFrom("push", "push-2", "pull"), { nil: undefined }), { minLength: 2, maxLength: 3 }), processes: fc.integer({ min: 1, max: 3 }), queue: fc.constantFrom("push", "pull") }) },
  fc.record({ kind: fc.constant("every" as const), value: fc.oneof(fc.stringMatching(/^[1-9][0-9]{0,22}[mhd]$/), text) }),
  fc.record({ kind: fc.constant("backupPath" as const), value: fc.oneof(fc.constant("/var/backups/"), fc.constant("/var/backups")).chain((p) => text.map((t) => `${p}${t}`)) }),
  fc.record({ kind: fc.constant("mail" as const), field: fc.constantFrom("from", "user"), value: text }),
  fc.record({ kind: fc.constant("cidr" as const), prefix: fc.integer({ min: 8, max: 30 }), count: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant("nat64" as const) }),
  fc.record({ kind: fc.constant("yaml" as const), at: fc.nat(), damage: fc.constantFrom("\t", "[", ": :", "&a", "*b") }),
);
const cliCase = fc.record({ ex: fc.nat(), edits: fc.array(edit, { minLength: 1, maxLength: 3 }) });

function applyEdits(ex: number, edits: readonly (typeof edit extends fc.Arbitrary<infer E> ? E : never)[]): string {
  const d = structuredClone(docs[ex % docs.length]!) as Doc;
  let damage: { at: number; with: string } | undefined;
  for (const e of edits) {
    const sidekiq = (d.hosts as Doc[]).find((h) => (h.roles as string[]).includes("sidekiq"))!;
    if (e.kind === "groups") {
      sidekiq.count = 1;
      sidekiq.sidekiq = { groups: e.names.map((name, i) => ({ ...(name === undefined ? {} : { name }), queues: i === 0 ? ["scheduler", e.queue] : [e.queue], processes: i === 0 ? 1 : e.processes })) };
      for (const h of d.hosts as Doc[]) if (h !== sidekiq && (h.roles as string[]).includes("sidekiq")) h.roles = (h.roles as string[]).filter((r) => r !== "sidekiq");
    } else if (e.kind === "every") d.backups = { ...(d.backups ?? { target: { local: { path: "/var/backups/mastodon" } } }), every: e.value };
    else if (e.kind === "backupPath") d.backups = { every: "24h", target: { local: { path: e.value } } };
    else if (e.kind === "mail") d.mail = { smtp: { host: "smtp.example.com", user: "u", from: "a@example.social", [e.field]: e.value } };
    else if (e.kind === "cidr") {
      d.network.privateCidr = `10.0.0.0/${e.prefix}`;
      const proxy = (d.hosts as Doc[]).find((h) => (h.roles as string[]).join() === "proxy");
      if (proxy) proxy.count = e.count;
    } else if (e.kind === "nat64") d.network.ipv4Egress = { nat64: { dns64: ["2001:db8::64"] } };
    else damage = { at: e.at, with: e.damage };
  }
  let out = stringify(d);
  if (damage) {
    const lines = out.split("\n");
    const i = damage.at % lines.length;
    lines[i] = damage.with === "\t" ? `\t${lines[i]}` : `${lines[i]} ${damage.with}`;
    out = lines.join("\n");
  }
  return out;
}

function runCli(file: string, out: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/plan.ts"), "--stack", file, "--out", out], { cwd: ROOT });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code, signal) => done({ code, signal, stderr }));
  });
}

test("the plan CLI on generated stacks exits 0 or with a located error, never a stack trace", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cli-fuzz-"));
  const cases = fc.sample(cliCase, { numRuns: 12, seed: 20261130 });
  try {
    const results: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i]!;
        const file = join(dir, `case-${i}.yaml`);
        writeFileSync(file, applyEdits(c.ex, c.edits));
        const r = await runCli(file, join(dir, `out-${i}`));
        const what = `case ${i} ${JSON.stringify(c.edits)}: exit ${r.code} ${r.signal ?? ""}\n${r.stderr}`;
        assert.ok(r.code === 0 || r.code === 1, what);
        if (r.code === 1) {
          assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `), what);
          assert.doesNotMatch(r.stderr, /\n {4}at /, what);
        }
        results.push(String(r.code));
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.equal(results.length, cases.length);
    // The generator must reach both outcomes, or it tests only one side of the contract.
    assert.ok(results.includes("1"), "no generated stack was refused");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
