// npm run diff -- --base <git ref> [--out preview] [stacks/<name>.yaml …]
// The pull-request preview: plans every stack the change affects at the merge base (in a worktree,
// with the base's own planner) and at the working tree, and writes <out>/comment.md (the whole
// comment, within GitHub's limit) and <out>/<stack>/diff.md, diff.json. No cloud account.
// Exit 0: the comment was written; 1: a stack of the change does not plan (the comment says why); 2: failure.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { affectedStacks } from "./compare/affected";
import { renderComment, stackSection, type StackOutcome } from "./compare/comment";
import { baseWorktree, filesAt, GitError, resolveBase } from "./compare/git-base";
import { stackOutcome } from "./compare/outcome";
import { planStack } from "./plan-stack";
import { runCli } from "./run";

const USAGE = "usage: npm run diff -- --base <git ref> [--out DIR] [stacks/<name>.yaml ...]";
const isStack = (f: string) => /\.ya?ml$/.test(f);

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { base: { type: "string" }, out: { type: "string", default: "preview" } }, strict: true, allowPositionals: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (!values.base) {
    console.error(`--base is required (the pull request's base branch or commit)\n${USAGE}`);
    return 1;
  }
  let base;
  try {
    base = resolveBase(process.cwd(), values.base);
  } catch (e) {
    if (e instanceof GitError) {
      console.error(`cannot compare with ${values.base}: ${e.message}\n${USAGE}`);
      return 1;
    }
    throw e;
  }
  // Stack files are planned by their path in the repository, so refusals read `stacks/x.yaml:12:3`.
  process.chdir(base.repo);
  const headStacks = existsSync(join(base.repo, "stacks")) ? readdirSync(join(base.repo, "stacks")).filter(isStack).map((f) => `stacks/${f}`) : [];
  const affected = affectedStacks(base.changes, headStacks, filesAt(base, "stacks").filter(isStack));
  const only = new Set(positionals);
  const stacks = only.size ? affected.stacks.filter((s) => only.has(s.file ?? "") || only.has(s.baseFile ?? "")) : affected.stacks;
  const tree = stacks.some((s) => s.baseFile) ? baseWorktree(base) : undefined;
  const outcomes: StackOutcome[] = [];
  try {
    for (const s of stacks) {
      const head = s.file ? await planStack(s.file) : undefined;
      outcomes.push(stackOutcome(s.file ?? s.baseFile!, head, s.baseFile ? tree!.plan(s.baseFile) : undefined, s.notes));
    }
  } finally {
    tree?.remove();
  }
  const out = resolve(values.out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const o of outcomes) {
    if (!o.diff) continue;
    mkdirSync(join(out, o.stack), { recursive: true });
    writeFileSync(join(out, o.stack, "diff.md"), stackSection(o));
    writeFileSync(join(out, o.stack, "diff.json"), `${JSON.stringify(o.diff, null, 2)}\n`);
  }
  const head = `${base.head}${base.dirty ? " + uncommitted changes" : ""}`;
  const { markdown, detail } = renderComment(outcomes, { base: `${values.base} @ ${base.commit.slice(0, 12)}`, head, reason: affected.reason });
  writeFileSync(join(out, "comment.md"), markdown);
  for (const o of outcomes) {
    const d = o.diff;
    const what = o.refused !== undefined ? "does not plan" : d ? `monthly ${d.monthly.before.toFixed(2)} → ${d.monthly.after.toFixed(2)} ${d.currency}; resources +${d.resources.counts.create} ~${d.resources.counts.update} ±${d.resources.counts.replace} -${d.resources.counts.delete}${d.resources.risks.length ? `; DATA AT RISK: ${d.resources.risks.map((r) => r.name).join(", ")}` : ""}` : "nothing to compare";
    console.log(`${o.stack} (${o.file}): ${what}`);
  }
  console.log(`wrote ${join(values.out, "comment.md")} (${markdown.length} characters${detail === "full" ? "" : `, shortened: ${detail}`})`);
  return outcomes.some((o) => o.refused !== undefined) ? 1 : 0;
}

runCli(main);
