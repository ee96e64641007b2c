// The scripts of the preview workflows, taken from the YAML and run by bash as a runner would:
// the check that stands between a fork's artifact and a write token, the packaging of the
// offline comment, the comment the real preview writes, and the drift report.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { requireTool } from "../helpers/tools";
import { runStepScript, scratchDir, steps, workflow, type LocatedStep } from "../helpers/workflows";

function step(file: string, id: string): LocatedStep {
  const found = steps(workflow(file)).find((s) => s.step.id === id || s.step.name === id);
  if (!found?.step.run) throw new Error(`${file} has no run step ${id}`);
  return found;
}

describe("Preview comment: the artifact check", () => {
  const check = step("preview-comment.yml", "check");
  const MARKER = workflow("preview-comment.yml").doc.jobs.comment!.env!.MARKER!;
  const HEAD = "a".repeat(40);

  function run(files: { number?: string; comment?: string; linkComment?: boolean }, prHead = HEAD) {
    const artifact = scratchDir("artifact-");
    if (files.number !== undefined) writeFileSync(join(artifact, "pr-number"), files.number);
    if (files.linkComment) {
      writeFileSync(join(artifact, "elsewhere.md"), `${MARKER}\nhi\n`);
      symlinkSync(join(artifact, "elsewhere.md"), join(artifact, "comment.md"));
    } else if (files.comment !== undefined) writeFileSync(join(artifact, "comment.md"), files.comment);
    return runStepScript(check.step.run!, { ARTIFACT: artifact, MARKER, HEAD_SHA: HEAD, GH_TOKEN: "t", GITHUB_REPOSITORY: "o/r" }, prHead);
  }
  const good = `${MARKER}\n## Preview\n`;

  it("passes the number of the pull request whose head was compared", () => {
    const r = run({ number: "42\n", comment: good });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(r.outputs, { number: "42" });
    assert.deepEqual(r.ghCalls, [["pr", "view", "42", "--repo", "o/r", "--json", "headRefOid", "--jq", ".headRefOid"]]);
  });

  for (const [what, number] of [
    ["a command", "42; touch /tmp/pwned"],
    ["a leading zero", "042"],
    ["a sign", "-1"],
    ["a fraction", "4.2"],
    ["an expression", "${{ github.token }}"],
    ["a second line", "42\n43\n"],
    ["an absurd length", "12345678901234"],
    ["nothing", ""],
  ] as const) {
    it(`refuses a number with ${what}`, () => {
      const r = run({ number, comment: good });
      assert.equal(r.status, 1, r.stdout);
      assert.deepEqual(r.outputs, {});
      assert.deepEqual(r.ghCalls, [], "a refused number never reaches gh");
    });
  }

  it("refuses a missing file, a symlink, or a comment without the marker first", () => {
    for (const files of [{ comment: good }, { number: "42" }, { number: "42", linkComment: true }, { number: "42", comment: `hello\n${MARKER}\n` }]) {
      const r = run(files);
      assert.equal(r.status, 1, JSON.stringify(files));
      assert.deepEqual(r.outputs, {});
    }
  });

  it("refuses a comment no GitHub comment could hold", () => {
    const r = run({ number: "42", comment: `${MARKER}\n${"x".repeat(300_000)}` });
    assert.equal(r.status, 1);
  });

  it("comments nowhere when the pull request has moved on or the number names another one", () => {
    const r = run({ number: "42", comment: good }, "b".repeat(40));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.outputs, {});
    assert.match(r.stdout, /::notice::.*no comment/);
  });
});

describe("Preview: packaging the comment", () => {
  const pkg = step("preview.yml", "package");

  it("copies comment.md and writes the number beside it, and only then says ready", () => {
    const out = scratchDir("out-");
    const artifact = join(scratchDir("art-"), "preview-comment");
    mkdirSync(join(out, "prod"));
    writeFileSync(join(out, "comment.md"), "<!-- mastodon-stack:preview -->\nbody\n");
    writeFileSync(join(out, "prod", "diff.json"), "{}");
    const r = runStepScript(pkg.step.run!, { OUT: out, ARTIFACT: artifact, PR_NUMBER: "7" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.outputs, { ready: "true" });
    assert.equal(readFileSync(join(artifact, "pr-number"), "utf8"), "7\n");
    assert.equal(readFileSync(join(artifact, "comment.md"), "utf8"), "<!-- mastodon-stack:preview -->\nbody\n");
    assert.equal(existsSync(join(artifact, "prod")), false);
  });

  it("is not ready when the comparison wrote no comment", () => {
    const r = runStepScript(pkg.step.run!, { OUT: scratchDir("out-"), ARTIFACT: join(scratchDir("art-"), "x"), PR_NUMBER: "7" });
    assert.equal(r.status, 0);
    assert.deepEqual(r.outputs, {});
    assert.match(r.stdout, /::error::npm run diff wrote no/);
  });
});

describe("Pulumi preview: the stack's comment", () => {
  const write = step("pulumi-preview.yml", "Write the comment");
  const MARKER = "<!-- mastodon-stack:pulumi-preview:prod -->";

  function body(outcome: string, output: string): string {
    const file = join(scratchDir("body-"), "body.md");
    const r = runStepScript(write.step.run!, { MARKER, STACK: "prod", OUTCOME: outcome, OUTPUT: output, RUN_URL: "https://example.invalid/run/1", BODY: file });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(file, "utf8");
  }

  it("starts with the stack's marker and shows the output as text, not markup", () => {
    const b = body("success", "~ droplet web-1 update\n<img src=x onerror=alert(1)> & more");
    assert.equal(b.split("\n")[0], MARKER);
    assert.match(b, /&lt;img src=x onerror=alert\(1\)&gt; &amp; more/);
    assert.doesNotMatch(b, /<img/);
    assert.match(b, /The policy pack passed/);
  });

  it("stays under GitHub's limit and says so when the output is cut", () => {
    const b = body("success", "+ resource\n".repeat(10_000));
    assert.ok(b.length < 65_536, `${b.length} characters`);
    assert.match(b, /Cut at 60000 characters/);
  });

  it("links the log when the preview failed", () => {
    const b = body("failure", "");
    assert.match(b, /\*\*Failed\*\*: an error, or a policy pack violation\. The \[run log\]\(https:\/\/example\.invalid\/run\/1\)/);
    assert.doesNotMatch(b, /<pre>/);
  });
});

describe("Drift: the report", () => {
  const part = step("drift.yml", "Write this stack's part of the report");
  const report = step("drift.yml", "report");
  const MARKER = workflow("drift.yml").doc.jobs.report!.env!.MARKER!;
  const RUN_URL = "https://example.invalid/run/2";

  /** Each stack's check (outcome of the --expect-no-changes preview, of the plain one, its output), then the report. */
  function drift(checks: [string, string, string, string][], stacks: string[], openIssues: unknown[]) {
    const dir = scratchDir("drift-");
    for (const [stack, expect, changes, output] of checks) {
      const r = runStepScript(part.step.run!, { STACK: stack, EXPECT: expect, CHANGES: changes, OUTPUT: output, STACKS: JSON.stringify(stacks), RUN_URL, REPORT: dir });
      assert.equal(r.status, 0, r.stderr);
    }
    const temp = scratchDir("runner-");
    const r = runStepScript(report.step.run!, { RUNNER_TEMP: temp, STACKS: JSON.stringify(stacks), REPORT: dir, RUN_URL, MARKER }, JSON.stringify(openIssues));
    assert.equal(r.status, 0, r.stderr);
    return { outputs: r.outputs, body: readFileSync(join(temp, "drift-issue.md"), "utf8"), ghCalls: r.ghCalls };
  }

  it("reports drift with its changes and errors with the log, updating the issue this workflow opened", (t) => {
    if (!requireTool(t, "jq", "jq")) return;
    const { outputs, body, ghCalls } = drift(
      [["prod", "failure", "success", "~ digitalocean:Droplet web-1 update <size>"], ["hobby", "success", "skipped", ""], ["single", "failure", "failure", ""]],
      ["prod", "hobby", "single", "gone"],
      [{ number: 3, body: "drift, by hand" }, { number: 5, body: `${MARKER}\nearlier` }],
    );
    assert.deepEqual(outputs, { found: "true", open: "5" });
    assert.deepEqual(ghCalls, [["issue", "list", "--state", "open", "--label", "drift", "--limit", "100", "--json", "number,body"]]);
    assert.equal(body.split("\n")[0], MARKER);
    assert.match(body, /## Stack <code>prod<\/code>: drift\n\n<pre>\n~ digitalocean:Droplet web-1 update &lt;size&gt;\n<\/pre>/);
    assert.match(body, /## Stack <code>single<\/code>: error\n\nThe preview failed/);
    assert.match(body, /## Stack <code>gone<\/code>: error\n\nIts check did not finish/);
    assert.doesNotMatch(body, /hobby/);
  });

  it("finds nothing to report when every stack is clean, and no issue of someone else's to close", (t) => {
    if (!requireTool(t, "jq", "jq")) return;
    const { outputs } = drift([["prod", "success", "skipped", ""]], ["prod"], [{ number: 3, body: "drift, by hand" }]);
    assert.deepEqual(outputs, { found: "false", open: "" });
  });

  it("fails, rather than open a second issue, when gh cannot list the open ones (pipefail)", (t) => {
    if (!requireTool(t, "jq", "jq")) return;
    const dir = scratchDir("drift-");
    const r = runStepScript(report.step.run!, { RUNNER_TEMP: scratchDir("runner-"), STACKS: JSON.stringify([]), REPORT: dir, RUN_URL, MARKER, GH_STUB_EXIT: "1" }, "[]");
    assert.notEqual(r.status, 0, r.stdout);
    assert.deepEqual(r.outputs, {});
  });

  it("keeps every stack's changes within its share of one issue", (t) => {
    if (!requireTool(t, "jq", "jq")) return;
    const stacks = ["a", "b", "c", "d"];
    const { body } = drift(stacks.map((s) => [s, "failure", "success", "~ x\n".repeat(20_000)]), stacks, []);
    assert.ok(body.length < 65_536, `${body.length} characters`);
  });
});
