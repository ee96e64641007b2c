// The GitHub workflows as data: parsed files, their steps, the shell each `run:` runs under, and
// one step's script run by bash the way a runner would, with `gh` replaced by a stub.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./plans";

const WORKFLOWS_DIR = join(ROOT, ".github", "workflows");

/** What the tests read of a workflow; the YAML is GitHub's, so only the keys used are typed. */
export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
export interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  "timeout-minutes"?: number;
  steps: Step[];
}
export interface WorkflowDoc {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}
export interface Workflow {
  file: string;
  text: string;
  doc: WorkflowDoc;
}

let loaded: readonly Workflow[] | undefined;

/** Every workflow file, read and parsed once per test process (callers that edit a doc clone it first). */
export function loadWorkflows(): Workflow[] {
  loaded ??= readdirSync(WORKFLOWS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(join(WORKFLOWS_DIR, file), "utf8");
      return { file, text, doc: parse(text) as WorkflowDoc };
    });
  return [...loaded];
}

export function workflow(file: string): Workflow {
  const found = loadWorkflows().find((w) => w.file === file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
}

export interface LocatedStep {
  where: string;
  job: Job;
  step: Step;
}

export function steps(w: Workflow): LocatedStep[] {
  return Object.entries(w.doc.jobs).flatMap(([jobId, job]) =>
    job.steps.map((step, i) => ({ where: `${w.file} jobs.${jobId}.steps[${i}]${step.name ? ` (${step.name})` : ""}`, job, step })),
  );
}

export interface RunStep extends LocatedStep {
  /** The shell's name as shellcheck knows it: bash or sh. */
  shell: string;
  script: string;
}

/** Every `run:` with the shell GitHub would run it under: the step's, the job's, the workflow's default, else bash. */
export function runSteps(w: Workflow): RunStep[] {
  return steps(w).flatMap((s) => {
    if (s.step.run === undefined) return [];
    const declared = s.step.shell ?? s.job.defaults?.run?.shell ?? w.doc.defaults?.run?.shell ?? "bash";
    // A custom shell is a command line such as `bash -eo pipefail {0}`.
    const shell = declared.trim().split(/\s+/)[0]!.split("/").pop()!;
    return [{ ...s, shell, script: s.step.run }];
  });
}

/** `${{ … }}` becomes a variable so shellcheck can parse the script; the tests forbid them in `run:` anyway. */
export function withoutExpressions(script: string): string {
  return script.replace(/\$\{\{[\s\S]*?\}\}/g, "${GITHUB_EXPRESSION}");
}

/** Every `uses:` line as written, comment included (the parsed YAML loses the comment). */
export function usesLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim().replace(/^- /, ""))
    .filter((l) => l.startsWith("uses:"))
    .map((l) => l.slice("uses:".length).trim());
}

export interface StepRun {
  status: number;
  stdout: string;
  stderr: string;
  /** What the step appended to $GITHUB_OUTPUT, as key → value. */
  outputs: Record<string, string>;
  /** The arguments of every call of the `gh` stub, in order. */
  ghCalls: string[][];
}

/** Runs one step's script the way GitHub runs `shell: bash` (`bash --noprofile --norc -eo pipefail`), with a `gh` stub that records its arguments, prints `ghPrints` and exits with $GH_STUB_EXIT (0 unless `env` sets it). */
export function runStepScript(script: string, env: Record<string, string>, ghPrints = ""): StepRun {
  const dir = scratchDir("step-");
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const ghLog = join(dir, "gh-calls");
  writeFileSync(ghLog, "");
  // Each argument ends with a unit separator, each call with a record separator: arguments may hold newlines.
  writeFileSync(join(bin, "gh"), `#!/bin/sh\n{ printf '%s\\037' "$@"; printf '\\036'; } >> "$GH_STUB_LOG"\nprintf '%s\\n' "$GH_STUB_PRINTS"\nexit "\${GH_STUB_EXIT:-0}"\n`);
  chmodSync(join(bin, "gh"), 0o755);
  const output = join(dir, "github-output");
  writeFileSync(output, "");
  writeFileSync(join(dir, "step.sh"), script);
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", join(dir, "step.sh")], {
    encoding: "utf8",
    env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, RUNNER_TEMP: dir, GH_STUB_PRINTS: ghPrints, GH_STUB_LOG: ghLog, ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(output, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const ghCalls = readFileSync(ghLog, "utf8")
    .split("\x1e")
    .slice(0, -1)
    .map((call) => call.split("\x1f").slice(0, -1));
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, outputs, ghCalls };
}

let scratchRoot: string | undefined;

/** A fresh directory for a test's files, all removed when the test process exits. */
export function scratchDir(prefix: string): string {
  if (!scratchRoot) {
    const root = mkdtempSync(join(tmpdir(), "workflow-tests-"));
    process.on("exit", () => rmSync(root, { recursive: true, force: true }));
    scratchRoot = root;
  }
  return mkdtempSync(join(scratchRoot, prefix));
}
