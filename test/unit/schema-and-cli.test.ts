import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SCHEMA_PATH, stackJsonSchema } from "../../src/spec/json-schema";
import { EXAMPLES, ROOT } from "../helpers/plans";

const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const runPlan = (args: string[]) => spawnSync(TSX, [join(ROOT, "src/cli/plan.ts"), ...args], { cwd: ROOT, encoding: "utf8" });

function tree(dir: string, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (e.isDirectory()) for (const [k, v] of tree(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel), "utf8"));
  }
  return out;
}

test("the committed JSON Schema is what the zod schema generates (run `npm run schema` if this fails)", () => {
  assert.equal(readFileSync(join(ROOT, SCHEMA_PATH), "utf8"), stackJsonSchema());
});

test("every example stack starts with the yaml-language-server $schema line", () => {
  for (const name of EXAMPLES) {
    const first = readFileSync(join(ROOT, "stacks", `${name}.yaml`), "utf8").split("\n")[0];
    assert.equal(first, "# yaml-language-server: $schema=../schema/stack.schema.json", name);
  }
});

test("npm run plan writes summary, plan.json and files; two runs are byte-identical", () => {
  const a = mkdtempSync(join(tmpdir(), "plan-a-"));
  const b = mkdtempSync(join(tmpdir(), "plan-b-"));
  try {
    for (const out of [a, b]) {
      for (const name of EXAMPLES) {
        const r = runPlan(["--stack", `stacks/${name}.yaml`, "--out", out]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`wrote .*${name}/summary.md`));
      }
    }
    const ta = tree(a);
    assert.ok(ta.has("prod/summary.md") && ta.has("prod/plan.json") && ta.has("hobby/summary.md"));
    assert.ok([...ta.keys()].some((k) => k.startsWith("prod/files/web-1/")));
    assert.deepEqual(ta, tree(b));
    const summary = ta.get("prod/summary.md")!;
    for (const section of ["## Connection budget", "## Memory per host", "## Monthly cost", "```mermaid", "## Processes"]) assert.ok(summary.includes(section), section);
    assert.ok(summary.includes("The scheduler queue runs in exactly one process: worker-1/mastodon-sidekiq-scheduler.service (placed on worker-1: the derived Sidekiq hosts have equal room (4,007 MB free, 4 vCPU), so the first in file order takes it)."), summary);
    assert.ok(summary.includes("- worker-2 (s-4vcpu-8gb): 120 Sidekiq threads in 6 processes, the target for its CPU share"), summary);
    for (const [path, content] of ta) assert.doesNotMatch(content, /\{\{secret:/, `${path} holds an unredacted secret marker`);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test("a refused stack exits non-zero, names file:line, and writes nothing", () => {
  const out = mkdtempSync(join(tmpdir(), "plan-bad-"));
  const stack = join(out, "bad.yaml");
  const good = readFileSync(join(ROOT, "stacks/hobby.yaml"), "utf8");
  writeFileSync(stack, good.replace("name: hobby", "name: hobby\ncolour: blue").replace("{ name: data, size: cx23,", "{ name: data, size: cx23, count: two,"));
  try {
    const r = runPlan(["--stack", stack, "--out", out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${stack}:6:1: colour: unknown key "colour"`));
    assert.match(r.stderr, new RegExp(`${stack}:\\d+:\\d+: hosts\\[0\\]\\.count: expected number, received string`));
    assert.deepEqual(readdirSync(out), ["bad.yaml"]);
    assert.equal(existsSync(join(out, "hobby")), false);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("an over-budget stack is refused before anything is written", () => {
  const out = mkdtempSync(join(tmpdir(), "plan-big-"));
  const stack = join(out, "big.yaml");
  writeFileSync(stack, readFileSync(join(ROOT, "stacks/prod.yaml"), "utf8").replace("pool: { mode: transaction }", "pool: { enabled: false }") + "tuning: { puma: { threads: 25 } }\n");
  try {
    const r = runPlan(["--stack", stack, "--out", out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the stack does not fit its hosts:\n- 180 connections .* exceed the database's 97/);
    assert.deepEqual(readdirSync(out), ["big.yaml"]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the plan command takes the stack as --stack or as its one argument, and refuses the rest with its usage", () => {
  const positional = runPlan(["stacks/hobby.yaml", "--out", join(tmpdir(), "plan-positional")]);
  assert.equal(positional.status, 0, positional.stderr);
  assert.match(positional.stdout, /^plan hobby: /);
  for (const args of [["--bogus"], ["stacks/hobby.yaml", "stacks/single.yaml"], ["--stack", "stacks/hobby.yaml", "stacks/single.yaml"]]) {
    const r = runPlan(args);
    assert.equal(r.status, 1, args.join(" "));
    assert.match(r.stderr, /usage: npm run plan/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "a stack trace");
  }
});

test("--compare: the change against the base's plan output as the pull request shows it; a stack the base lacks is said plainly", () => {
  const dir = mkdtempSync(join(tmpdir(), "plan-compare-"));
  try {
    const base = runPlan(["stacks/prod.yaml", "--out", join(dir, "base")]);
    assert.equal(base.status, 0, base.stderr);
    // The change: a third Sidekiq host.
    const head = join(dir, "prod.yaml");
    writeFileSync(head, readFileSync(join(ROOT, "stacks/prod.yaml"), "utf8").replace("{ name: worker, size: s-4vcpu-8gb, count: 2,", "{ name: worker, size: s-4vcpu-8gb, count: 3,"));
    const r = runPlan([head, "--out", join(dir, "head"), "--compare", join(dir, "base")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*prod\/diff\.md \(monthly 385\.70 → 433\.70 USD\)/);
    const md = readFileSync(join(dir, "head", "prod", "diff.md"), "utf8");
    assert.match(md, /^## prod \(`[^`]+prod\.yaml`\)\n\n\*\*Monthly cost:\*\* \+\$48\.00 \(\$385\.70 → \$433\.70\)/);
    assert.match(md, /\| server worker-3 \| s-4vcpu-8gb \(4 vCPU, 8192 MB\) \| added \| \+\$48\.00 \(\$0\.00 → \$48\.00\) \|/);
    assert.doesNotMatch(md, /\{\{secret:/, "patches are of the redacted plans");
    assert.equal(JSON.parse(readFileSync(join(dir, "head", "prod", "diff.json"), "utf8")).monthly.after, 433.7);
    const fresh = runPlan(["stacks/hobby.yaml", "--out", join(dir, "head"), "--compare", join(dir, "base")]);
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.match(readFileSync(join(dir, "head", "hobby", "diff.md"), "utf8"), /^## hobby \(`stacks\/hobby\.yaml`\)\n\n_no base plan for hobby at .* \(a new stack, or the base did not plan\)_\n\n\*\*Monthly cost:\*\* \+€16\.97 \(€0\.00 → €16\.97\)\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
