// A plan diff as the pull-request comment shows it, per stack: the monthly cost before → after
// with the change per cost line (the familiar `+$12 ($312 → $324)`), hosts and processes, the
// connection budget, warnings new and resolved, and per host the files a converge would write
// and the units it would restart (collapsed).
import { formatMoney } from "../../plan/format";
import type { Change, CostChange, HostChange, PlanDiff, ProcessChange } from "./plan-diff";

function delta(currency: string, before: number, after: number): string {
  const d = after - before;
  const sign = d > 0 ? "+" : d < 0 ? "-" : "±";
  return `${sign}${formatMoney(Math.abs(d), currency)} (${formatMoney(before, currency)} → ${formatMoney(after, currency)})`;
}

function costRow(currency: string, c: CostChange): string {
  const what = c.before === undefined ? "added" : c.after === undefined ? "removed" : "changed";
  return `| ${c.resource} | ${c.detail} | ${what} | ${delta(currency, c.before ?? 0, c.after ?? 0)} |`;
}

const arrow = <T>(c: Change<T>) => (c.before === c.after ? `${String(c.after)}` : `${String(c.before)} → ${String(c.after)}`);

function processLine(p: ProcessChange): string {
  const desc = (s: ProcessChange["after"]) => (s ? `${s.workers} × ${s.threads} threads, DB_POOL ${s.dbPool}, ${s.connections} connections` : "none");
  if (!p.before) return `  - \`${p.unit}\` added: ${desc(p.after)}`;
  if (!p.after) return `  - \`${p.unit}\` removed (was ${desc(p.before)})`;
  return `  - \`${p.unit}\`: ${desc(p.before)} → ${desc(p.after)}`;
}

function hostSection(h: HostChange): string[] {
  const head = `- **${h.host}** ${h.status}${h.size ? ` (${h.size.before} → ${h.size.after})` : ""}${h.headroomMb ? `, memory left ${h.headroomMb.before} → ${h.headroomMb.after} MB` : ""}`;
  const files = [...h.files.added.map((f) => `added ${f}`), ...h.files.changed.map((f) => `changed ${f}`), ...h.files.removed.map((f) => `removed ${f}`)];
  const units = [...(h.restarts.length ? [`restarts ${h.restarts.join(", ")}`] : []), ...(h.reloads.length ? [`reloads ${h.reloads.join(", ")}`] : [])];
  return [
    head,
    ...h.processes.map(processLine),
    ...(files.length ? [`  <details><summary>${files.length} file${files.length === 1 ? "" : "s"}${units.length ? `; ${units.join("; ")}` : ""}</summary>`, "", ...files.map((f) => `  - ${f}`), "", "  </details>"] : []),
  ];
}

export function renderDiffMarkdown(d: PlanDiff): string {
  const lines = [`## ${d.stack}`, "", `**Monthly cost:** ${delta(d.currency, d.monthly.before, d.monthly.after)}`, ""];
  if (d.costs.length) lines.push("| resource | what | change | monthly |", "|---|---|---|---|", ...d.costs.map((c) => costRow(d.currency, c)), "");
  lines.push(`**Connections:** clients ${arrow(d.budget.clients)} of ${arrow(d.budget.limit)}${d.budget.poolSize.after !== null || d.budget.poolSize.before !== null ? `, pool ${arrow(d.budget.poolSize)}` : ""}`, "");
  if (d.hosts.length) lines.push("**Hosts**", "", ...d.hosts.flatMap(hostSection), "");
  else lines.push("No host changes.", "");
  if (d.warnings.added.length) lines.push("**New warnings**", "", ...d.warnings.added.map((w) => `- ${w}`), "");
  if (d.warnings.resolved.length) lines.push("**Resolved warnings**", "", ...d.warnings.resolved.map((w) => `- ${w}`), "");
  return `${lines.join("\n").trimEnd()}\n`;
}
