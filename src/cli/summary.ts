// summary.md: what an admin reads before `pulumi up` and what CI posts on a pull request.
import { formatCount, formatMoney } from "../plan/format";
import type { Plan } from "../plan/types";
import { redact } from "../plan/render/placeholders";
import type { GraphStats } from "../program/graph";
import type { RecordedResource } from "../program/mocks";
import { mermaid } from "./diagram";
import { resourcesMarkdown } from "./resources-summary";
import { kubernetesMarkdown } from "./summary-kubernetes";

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

export function summaryMarkdown(plan: Plan, resources: readonly RecordedResource[], graph: GraphStats): string {
  const { stack, budget: b, cost } = plan;
  const out: string[] = [`# Plan: ${stack.name}`, ""];
  out.push(`Mastodon ${stack.mastodonVersion} at https://${stack.webDomain} (LOCAL_DOMAIN ${stack.domain}) on ${stack.provider} ${stack.region}.`, "");
  if (plan.kubernetes) {
    out.push(...kubernetesMarkdown(plan, plan.kubernetes));
    out.push(`The scheduler queue runs in exactly one process: ${plan.sizing.scheduler}.`, "");
  } else {
    out.push("## Hosts", "", table(["host", "size", "vCPU", "memory MB", "roles", "private address"], plan.hosts.map((h) => [h.name, h.size, h.vcpu, formatCount(h.memoryMb), h.roles.join(", "), `\`${redact(h.privateAddress)}\``])), "");
    out.push("## Processes", "", table(["host", "unit", "workers", "threads", "DB_POOL", "connections", "queues", "memory MB"],
      plan.hosts.flatMap((h) => h.processes.map((p) => [h.name, p.unit, p.workers, p.threads, p.dbPool, p.connections, p.queues?.join(", ") ?? "", formatCount(p.memoryMb)]))), "");
    const scheduler = plan.hosts.flatMap((h) => h.processes.filter((p) => p.queues?.includes("scheduler")).map((p) => `${h.name}/${p.unit}`));
    out.push(`The scheduler queue runs in exactly one process: ${scheduler.join(", ")} (${plan.sizing.scheduler}).`, "");
  }
  if (plan.sizing.sidekiq.length) out.push("Sidekiq sizing:", "", ...plan.sizing.sidekiq.map((l) => `- ${l}`), "");
  out.push(plan.kubernetes ? "## Connection budget (at maximum replicas)" : "## Connection budget", "", table(["clients", "processes", "each", "total"], [...b.clients.map((l) => [l.what, l.count, l.each, l.total]), ["**all clients**", "", "", `**${b.clientTotal}**`], ["reserve (migrations, consoles)", "", "", b.reserve]]), "");
  if (b.pooled) {
    out.push(`Pool: ${plan.services.pool.kind === "managed" ? "provider-managed PgBouncer" : `PgBouncer on ${plan.services.pool.hosts.join(", ")}`}, ${b.poolMode} mode (PREPARED_STATEMENTS=false).`, "");
    out.push(table(["check", "need", "limit", "ok"], [
      ["clients + reserve ≤ max_client_conn", b.clientTotal + b.reserve, b.clientLimit, b.clientTotal + b.reserve <= b.clientLimit ? "yes" : "no"],
      ["pool size + reserve ≤ database", (b.poolSize ?? 0) + b.reserve, b.databaseLimit, (b.poolSize ?? 0) + b.reserve <= b.databaseLimit ? "yes" : "no"],
    ]), "", `Database limit: ${b.databaseLimitSource}.`, "");
  } else {
    out.push(table(["check", "need", "limit"], [["clients + reserve ≤ database", b.clientTotal + b.reserve, b.databaseLimit]]), "", `Database limit: ${b.databaseLimitSource}.`, "");
  }
  if (plan.hosts.length > 0) out.push("## Memory per host", "");
  for (const h of plan.hosts) {
    out.push(`**${h.name}** (${h.size}): ${formatCount(h.memory.usedMb)} MB planned of ${formatCount(h.memory.availableMb)} MB (${formatCount(h.memoryMb)} MB less ${formatCount(h.memory.headroomMb)} MB headroom)`, "");
    out.push(table(["what", "MB"], h.memory.items.map((i) => [i.what, formatCount(i.mb)])), "");
  }
  out.push("## Monthly cost", "", table(["resource", "detail", "monthly", "source"], cost.lines.map((l) => [l.resource, l.detail, `${formatMoney(l.monthly, l.currency)}${l.maxMonthly !== undefined ? ` (up to ${formatMoney(l.maxMonthly, l.currency)})` : ""}`, l.source])), "");
  const totals = Object.entries(cost.totals).map(([c, v]) => formatMoney(v, c)).join(" + ");
  out.push(`**Total: ${formatMoney(cost.total.monthly, cost.total.currency)} per month** (${totals}${cost.total.rate ? `; ${cost.total.rate}` : ""})${cost.totalAtMax !== undefined ? `; **${formatMoney(cost.totalAtMax, cost.total.currency)}** with every node pool at its maximum` : ""}.`, "");
  out.push(...resourcesMarkdown(plan, resources, graph));
  out.push("## Architecture", "", "```mermaid", mermaid(plan), "```", "");
  if (plan.warnings.length) out.push("## Warnings", "", ...plan.warnings.map((w) => `- ${w}`), "");
  const files = plan.hosts.reduce((k, h) => k + h.files.length, 0);
  if (plan.kubernetes) out.push("## Files", "", "No host files: every process runs as a pod from Mastodon's chart, with the values and objects in the resource graph.", "");
  else out.push("## Files", "", `${files} files rendered for ${plan.hosts.length} hosts under \`files/<host>/\`; secrets appear as \`<redacted:NAME>\`, values known only after \`pulumi up\` as \`<output:NAME>\`.`, "");
  return out.join("\n");
}
