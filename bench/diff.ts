// npm run bench: the pull-request preview's own cost, apart from planning both sides — comparing
// two plans of a stack (plans, resource graphs, per-file patches, rollout) and rendering the
// comment — for prod with a third Sidekiq host and for the generated 50-host stack with every
// env file changed. Prints numbers, asserts nothing.
import { performance } from "node:perf_hooks";
import { parse, stringify } from "yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderComment } from "../src/cli/compare/comment";
import { diffStack } from "../src/cli/compare/stack-diff";
import { redactedPlan } from "../src/cli/output";
import { buildPlan } from "../src/plan";
import { runOffline } from "../src/program/offline";
import { parseStack } from "../src/spec/load";
import { largeStackYaml } from "./large-stack";

const RUNS = 9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function side(text: string, label: string) {
  const spec = parseStack(text, label);
  const plan = buildPlan(spec);
  const { resources } = await runOffline(spec, plan);
  return { ...redactedPlan(plan), resourceGraph: { resources } };
}

async function bench(label: string, base: string, change: string): Promise<void> {
  const before = await side(base, label);
  const after = await side(change, label);
  const diffMs: number[] = [];
  const commentMs: number[] = [];
  let chars = 0;
  let detail = "";
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const d = diffStack(before, after, 1);
    const t1 = performance.now();
    const c = renderComment([{ stack: label, file: `stacks/${label}.yaml`, notes: [], diff: d }], { base: "main", head: "change", reason: "bench" });
    commentMs.push(performance.now() - t1);
    diffMs.push(t1 - t0);
    chars = c.markdown.length;
    detail = c.detail;
  }
  console.log(`${label.padEnd(9)} diff median ${median(diffMs).toFixed(1).padStart(7)} ms  comment median ${median(commentMs).toFixed(1).padStart(6)} ms  comment ${chars.toLocaleString("en")} characters (${detail})`);
}

async function main(): Promise<void> {
  console.log(`preview benchmark: ${RUNS} runs each of comparing two planned sides and rendering the comment`);
  const prod = readFileSync(join(__dirname, "..", "stacks", "prod.yaml"), "utf8");
  const more = parse(prod) as { hosts: { count?: number }[] };
  more.hosts[2]!.count = 3;
  await bench("prod", prod, stringify(more));
  const large = largeStackYaml(50);
  const changed = parse(large) as { mastodon: Record<string, unknown> };
  changed.mastodon.authorizedFetch = true;
  await bench("large-50", large, stringify(changed));
}

void main();
