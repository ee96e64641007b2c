// npm run bench: plan time (median of repeated runs) per example stack and for a generated
// 50-host stack, plus the number and bytes of rendered files. Prints numbers, asserts nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { planOutputs } from "../src/cli/output";
import { buildPlan } from "../src/plan";
import type { GraphStats } from "../src/program/graph";
import { runOffline } from "../src/program/offline";
import { parseStack } from "../src/spec/load";
import { largeStackYaml } from "./large-stack";

const RUNS = 15;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function bench(label: string, text: string): void {
  const times: number[] = [];
  let files = 0;
  let bytes = 0;
  let hosts = 0;
  let pods = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const spec = parseStack(text, label);
    const plan = buildPlan(spec);
    const out = planOutputs(plan, [], spec).files;
    times.push(performance.now() - t0);
    files = out.length;
    bytes = out.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
    hosts = plan.hosts.length;
    pods = plan.kubernetes?.workloads.length ?? 0;
  }
  console.log(
    `${label.padEnd(10)} ${pods ? `workloads ${String(pods).padStart(3)}` : `hosts ${String(hosts).padStart(7)}`}  plan median ${median(times).toFixed(1).padStart(7)} ms  (min ${Math.min(...times).toFixed(1)}, first ${times[0]!.toFixed(1)})  files ${String(files).padStart(5)}  bytes ${bytes.toLocaleString("en-US").padStart(11)}`,
  );
}

const PROGRAM_RUNS = 5;

/** The whole offline plan: plan + the real program under mocks + every output file. */
async function benchProgram(label: string, text: string): Promise<void> {
  const times: number[] = [];
  let stats: GraphStats | undefined;
  for (let i = 0; i < PROGRAM_RUNS; i++) {
    const t0 = performance.now();
    const spec = parseStack(text, label);
    const plan = buildPlan(spec);
    const { resources } = await runOffline(spec, plan);
    stats = planOutputs(plan, resources, spec).graph;
    times.push(performance.now() - t0);
  }
  if (!stats) throw new Error("no run");
  console.log(
    `${label.padEnd(10)} offline plan median ${median(times).toFixed(0).padStart(6)} ms  (min ${Math.min(...times).toFixed(0)})  resources ${String(stats.cloudResources).padStart(4)} + ${stats.resources - stats.cloudResources} components  longest chain ${stats.longestChain.length}: ${stats.longestChain.map((c) => c.split("::")[0]!.split(":").pop()).join(" → ")}`,
  );
}

async function main(): Promise<void> {
  const stacks = ["prod", "single", "hobby", "kubernetes"].map((name) => [name, readFileSync(join(__dirname, "..", "stacks", `${name}.yaml`), "utf8")] as const);
  const all = [...stacks, ["large-50", largeStackYaml(50)] as const];
  console.log(`plan benchmark: ${RUNS} runs each, parse + validate + plan + render + redact (no disk writes)`);
  for (const [name, text] of all) bench(name, text);
  console.log(`\noffline plan with the mocked Pulumi program: ${PROGRAM_RUNS} runs each (no disk writes)`);
  for (const [name, text] of all) await benchProgram(name, text);
}

void main();
