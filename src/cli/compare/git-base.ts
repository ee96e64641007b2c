// The base side of a pull-request preview: the merge base of a git ref and HEAD, checked out in a
// temporary worktree and planned by its own planner (`src/cli/plan.ts` of that commit, with that
// commit's dependencies), so the base renders exactly as it would have been deployed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readBasePlan } from "./base-plan";
import type { PlanWithGraph } from "./stack-diff";

export class GitError extends Error {}

function git(cwd: string, args: string[]): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new GitError(`git ${args.join(" ")}: ${(r.stderr || r.error?.message || "failed").trim()}`);
  return r.stdout;
}

export interface PathChange {
  status: "A" | "M" | "D" | "R";
  path: string;
  /** For a rename, the path at the base. */
  from?: string;
}

export interface Base {
  repo: string;
  ref: string;
  commit: string;
  /** HEAD's short commit, and whether the working tree differs from it. */
  head: string;
  dirty: boolean;
  /** Paths that differ between the merge base and the working tree (committed, staged, unstaged or untracked). */
  changes: PathChange[];
}

export function resolveBase(repo: string, ref: string): Base {
  const top = git(repo, ["rev-parse", "--show-toplevel"]).trim();
  const target = git(top, ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`]).trim();
  const commit = git(top, ["merge-base", target, "HEAD"]).trim();
  const changes: PathChange[] = [];
  for (const line of git(top, ["diff", "--name-status", "-M", "--no-color", commit, "--"]).split("\n").filter(Boolean)) {
    const [s, a, b] = line.split("\t");
    if (s!.startsWith("R")) changes.push({ status: "R", path: b!, from: a! });
    else changes.push({ status: s === "A" ? "A" : s === "D" ? "D" : "M", path: a! });
  }
  for (const path of git(top, ["ls-files", "--others", "--exclude-standard"]).split("\n").filter(Boolean)) changes.push({ status: "A", path });
  const head = git(top, ["rev-parse", "--short=12", "HEAD"]).trim();
  const dirty = git(top, ["status", "--porcelain"]).trim().length > 0;
  return { repo: top, ref, commit, head, dirty, changes };
}

export function filesAt(base: Base, dir: string): string[] {
  return git(base.repo, ["ls-tree", "--name-only", `${base.commit}:${dir}`]).split("\n").filter(Boolean).map((f) => `${dir}/${f}`);
}

export interface BaseWorktree {
  dir: string;
  /** Plans a stack file of the base: its plan (read and checked as any base plan.json is), or why there is none. */
  plan(stackFile: string): { plan: PlanWithGraph } | { failed: string };
  remove(): void;
}

/** The base commit in a temporary worktree with its own dependencies (the change's, when the lockfiles agree). */
export function baseWorktree(base: Base): BaseWorktree {
  const root = mkdtempSync(join(tmpdir(), "mastodon-stack-base-"));
  const dir = join(root, "tree");
  git(base.repo, ["worktree", "add", "--detach", "--quiet", dir, base.commit]);
  const lock = (d: string) => (existsSync(join(d, "package-lock.json")) ? readFileSync(join(d, "package-lock.json"), "utf8") : "");
  if (lock(dir) === lock(base.repo) && existsSync(join(base.repo, "node_modules"))) symlinkSync(join(base.repo, "node_modules"), join(dir, "node_modules"), "dir");
  else execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  let n = 0;
  return {
    dir,
    plan(stackFile) {
      const out = join(root, `out-${n++}`);
      const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/plan.ts", "--stack", stackFile, "--out", out], { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
      if (r.status !== 0) return { failed: (r.stderr || r.error?.message || `exit ${r.status}`).trim() };
      const stacks = existsSync(out) ? readdirSync(out) : [];
      if (stacks.length !== 1) return { failed: `the base planner wrote ${stacks.length} plans for ${stackFile}` };
      const base = readBasePlan(join(out, stacks[0]!, "plan.json"), stacks[0]!);
      return "plan" in base ? { plan: base.plan } : { failed: base.missing };
    },
    remove() {
      // The borrowed node_modules is a link: unlink it so nothing can follow it into the change's tree.
      const nm = join(dir, "node_modules");
      if (existsSync(nm) && lstatSync(nm).isSymbolicLink()) unlinkSync(nm);
      git(base.repo, ["worktree", "remove", "--force", dir]);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
