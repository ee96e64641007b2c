// npm run plan [-- [--stack] stacks/prod.yaml] [--out plan] [--compare <git ref | BASE_OUT>]
// Plans a stack with no cloud account and no Pulumi CLI and writes what it would create.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stackSection } from "./compare/comment";
import { writePlan } from "./output";
import { planStack } from "./plan-stack";
import { runCli } from "./run";

const USAGE = "usage: npm run plan [-- [--stack] stacks/<name>.yaml] [--out DIR] [--compare <git ref | BASE_DIR>]";

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { stack: { type: "string" }, out: { type: "string", default: "plan" }, compare: { type: "string" } }, strict: true, allowPositionals: true });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  // The stack file may also come as the one positional argument (npm run plan -- stacks/x.yaml).
  if (positionals.length > 1 || (positionals.length === 1 && values.stack !== undefined)) {
    console.error(`one stack file at a time, got: ${[values.stack, ...positionals].filter(Boolean).join(" ")}\n${USAGE}`);
    return 1;
  }
  const stackFile = values.stack ?? positionals[0] ?? "stacks/prod.yaml";
  const planned = await planStack(stackFile);
  if ("refused" in planned) {
    console.error(`${stackFile}: refused, nothing written.\n${planned.refused}`);
    return 1;
  }
  const { spec, plan, files, graph } = planned;
  const dir = resolve(values.out, spec.name);
  writePlan(dir, files);
  const procs = plan.hosts.reduce((n, h) => n + h.processes.length, 0);
  const b = plan.budget;
  console.log(plan.kubernetes ? `plan ${spec.name}: Kubernetes, ${plan.kubernetes.nodePools.length} node pool(s), ${plan.kubernetes.workloads.length} workloads, ${files.length} files` : `plan ${spec.name}: ${plan.hosts.length} hosts, ${procs} processes, ${files.length} files`);
  console.log(`  connections${plan.kubernetes ? " at maximum replicas" : ""}: ${b.clientTotal} clients + ${b.reserve} reserve${b.pooled ? ` → ${b.poolMode} pool of ${b.poolSize} (max_client_conn ${b.clientLimit})` : ""}; database allows ${b.databaseLimit}`);
  for (const h of plan.hosts) console.log(`  ${h.name.padEnd(12)} ${h.size.padEnd(16)} ${h.roles.join(",").padEnd(34)} ${h.memory.usedMb}/${h.memory.availableMb} MB`);
  for (const p of plan.kubernetes?.nodePools ?? []) console.log(`  pool ${p.name.padEnd(12)} ${p.size.padEnd(16)} ${p.minNodes}–${p.maxNodes} nodes; the pods need ${p.nodesAtMin} at min, ${p.nodesAtMax} at max replicas`);
  for (const w of plan.kubernetes?.workloads ?? []) console.log(`  ${w.name.padEnd(20)} ${String(w.replicas.min === w.replicas.max ? w.replicas.min : `${w.replicas.min}–${w.replicas.max}`).padEnd(6)} × ${w.requests.memoryMb} MB ${w.requests.cpuMillis}m (${w.autoscale.kind})`);
  console.log(`  resources: ${graph.cloudResources} cloud resources (${Object.entries(graph.byProvider).map(([p, k]) => `${p} ${k}`).join(", ")}), longest dependency chain ${graph.longestChain.length}`);
  console.log(`  cost: ${plan.cost.total.monthly.toFixed(2)} ${plan.cost.total.currency}/month${plan.cost.totalAtMax !== undefined ? ` (${plan.cost.totalAtMax.toFixed(2)} with every node pool at its maximum)` : ""}`);
  for (const w of plan.warnings) console.log(`  warning: ${w}`);
  console.log(`wrote ${join(values.out, spec.name)}/summary.md`);
  if (values.compare !== undefined) {
    const { compareWith } = await import("./compare/compare-one.js");
    const outcome = compareWith(values.compare, stackFile, planned);
    if ("error" in outcome) {
      console.error(outcome.error);
      return 1;
    }
    const d = outcome.diff;
    writeFileSync(join(dir, "diff.md"), stackSection(outcome));
    writeFileSync(join(dir, "diff.json"), `${JSON.stringify(d ?? { notes: outcome.notes }, null, 2)}\n`);
    console.log(`wrote ${join(values.out, spec.name)}/diff.md${d ? ` (monthly ${d.monthly.before.toFixed(2)} → ${d.monthly.after.toFixed(2)} ${d.currency}${d.resources.risks.length ? `; DATA AT RISK: ${d.resources.risks.map((r) => r.name).join(", ")}` : ""})` : ""}${outcome.notes.length ? `: ${outcome.notes.join("; ")}` : ""}`);
  }
  return 0;
}

runCli(main);
