// npm run plan [-- [--stack] stacks/prod.yaml] [--out plan] [--compare BASE_OUT]
// Plans a stack with no cloud account and no Pulumi CLI and writes what it would create.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildPlan, CapacityError } from "../plan";
import { SpecError } from "../spec/errors";
import { loadStack } from "../spec/load";

const USAGE = "usage: npm run plan [-- [--stack] stacks/<name>.yaml] [--out DIR] [--compare BASE_DIR]";

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
  try {
    const spec = loadStack(stackFile);
    const plan = buildPlan(spec);
    // Loaded only once the stack is accepted: the Pulumi SDK takes seconds to import, and a
    // refusal should not wait for it.
    const [{ runOffline }, { planOutputs, writePlan }] = await Promise.all([import("../program/offline.js"), import("./output.js")]);
    const { resources } = await runOffline(spec, plan);
    const { files, graph } = planOutputs(plan, resources);
    const dir = resolve(values.out, spec.name);
    writePlan(dir, files);
    const procs = plan.hosts.reduce((n, h) => n + h.processes.length, 0);
    const b = plan.budget;
    console.log(`plan ${spec.name}: ${plan.hosts.length} hosts, ${procs} processes, ${files.length} files`);
    console.log(`  connections: ${b.clientTotal} clients + ${b.reserve} reserve${b.pooled ? ` → ${b.poolMode} pool of ${b.poolSize} (max_client_conn ${b.clientLimit})` : ""}; database allows ${b.databaseLimit}`);
    for (const h of plan.hosts) console.log(`  ${h.name.padEnd(12)} ${h.size.padEnd(16)} ${h.roles.join(",").padEnd(34)} ${h.memory.usedMb}/${h.memory.availableMb} MB`);
    console.log(`  resources: ${graph.cloudResources} cloud resources (${Object.entries(graph.byProvider).map(([p, k]) => `${p} ${k}`).join(", ")}), longest dependency chain ${graph.longestChain.length}`);
    console.log(`  cost: ${plan.cost.total.monthly.toFixed(2)} ${plan.cost.total.currency}/month`);
    for (const w of plan.warnings) console.log(`  warning: ${w}`);
    console.log(`wrote ${join(values.out, spec.name)}/summary.md`);
    if (values.compare !== undefined) {
      // Against the plan the base commit wrote (`npm run plan -- --out BASE_DIR` there): the pull request's preview.
      const [{ readBasePlan }, { diffPlans }, { renderDiffMarkdown }, { redactedPlan }] = await Promise.all([
        import("./compare/base-plan.js"),
        import("./compare/plan-diff.js"),
        import("./compare/markdown.js"),
        import("./output.js"),
      ]);
      const base = readBasePlan(values.compare, spec.name);
      const diff = "plan" in base ? diffPlans(base.plan, redactedPlan(plan)) : undefined;
      writeFileSync(join(dir, "diff.md"), diff ? renderDiffMarkdown(diff) : `## ${spec.name}\n\n${"missing" in base ? base.missing : ""}.\n`);
      writeFileSync(join(dir, "diff.json"), `${JSON.stringify(diff ?? base, null, 2)}\n`);
      console.log(`wrote ${join(values.out, spec.name)}/diff.md${diff ? ` (monthly ${diff.monthly.before.toFixed(2)} → ${diff.monthly.after.toFixed(2)} ${diff.currency})` : `: ${"missing" in base ? base.missing : ""}`}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof SpecError || e instanceof CapacityError) {
      console.error(`${stackFile}: refused, nothing written.\n${e.message}`);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exitCode = 2;
  },
);
