// One stack's part of the pull-request comment: data at risk first, then the monthly cost before →
// after with the change per cost line (the familiar `+$12 ($312 → $324)`), the cloud resources
// `pulumi up` would touch, the connection budget, the rollout, hosts with their processes and
// (collapsed) the files a converge would write with their redacted patches, and warnings.
// `detail` lets the comment shed file patches first when it grows past GitHub's limit.
import { formatMoney } from "../../plan/format";
import type { FilePatch } from "./file-patches";
import type { Change, CostChange, HostChange, PlanDiff, ProcessChange } from "./plan-diff";
import type { DataRisk, ResourceDiff } from "./resource-diff";
import type { RolloutChange } from "./rollout-diff";
import type { KubernetesChange } from "./kubernetes-diff";

/** full: every patch; short: each patch cut to its first lines; lists: file names only; summary: no per-file lines. */
export type Detail = "full" | "short" | "lists" | "summary";

export const SHORT_PATCH_LINES = 40;

type Renderable = PlanDiff & { resources?: ResourceDiff; patches?: Record<string, FilePatch[]>; rollout?: RolloutChange; kubernetes?: KubernetesChange };

function delta(currency: string, before: number, after: number): string {
  const d = after - before;
  const sign = d > 0 ? "+" : d < 0 ? "-" : "±";
  return `${sign}${formatMoney(Math.abs(d), currency)} (${formatMoney(before, currency)} → ${formatMoney(after, currency)})`;
}

function costRow(currency: string, c: CostChange): string {
  const what = c.before === undefined ? "added" : c.after === undefined ? "removed" : "changed";
  return `| ${c.resource} | ${c.detail} | ${what} | ${delta(currency, c.before ?? 0, c.after ?? 0)} |`;
}

/** A code fence longer than any backtick run in `text`, so the text can never close it early. */
export const fenceFor = (text: string): string => "`".repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((r) => r.length + 1)));

/** "restarts a, b; reloads c", or "" when a converge does neither. */
const unitActions = (restarts: readonly string[], reloads: readonly string[]): string =>
  [...(restarts.length ? [`restarts ${restarts.join(", ")}`] : []), ...(reloads.length ? [`reloads ${reloads.join(", ")}`] : [])].join("; ");

const arrow = <T>(c: Change<T>) => (c.before === c.after ? `${String(c.after)}` : `${String(c.before)} → ${String(c.after)}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const kind = (type: string) => type.split(":").pop() ?? type;

function riskLine(r: DataRisk): string {
  const what = r.op === "delete" ? "**deleted**" : "**replaced** (deleted, then created empty)";
  const renamed = r.renamedTo ? ` The change creates \`${r.renamedTo}\` beside it: renaming in the stack file is a new resource, not a rename.` : "";
  const guard = r.protected
    ? " It is protected: `pulumi up` stops with an error before deleting it; only `pulumi state unprotect` lets it go."
    : " It is **not** protected: `pulumi up` would delete it.";
  return `> - \`${r.name}\` (${kind(r.type)}) would be ${what}, losing ${r.loses}.${renamed}${guard}`;
}

function processLine(p: ProcessChange): string {
  const desc = (s: ProcessChange["after"]) => (s ? `${s.workers} × ${s.threads} threads, DB_POOL ${s.dbPool}, ${s.connections} connections` : "none");
  if (!p.before) return `  - \`${p.unit}\` added: ${desc(p.after)}`;
  if (!p.after) return `  - \`${p.unit}\` removed (was ${desc(p.before)})`;
  return `  - \`${p.unit}\`: ${desc(p.before)} → ${desc(p.after)}`;
}

function patchBlock(p: FilePatch, detail: Detail): string[] {
  const lines = p.patch.split("\n");
  const cut = detail === "short" && lines.length > SHORT_PATCH_LINES;
  const shown = cut ? lines.slice(0, SHORT_PATCH_LINES) : lines;
  const fence = fenceFor(p.patch);
  const note = p.path === "cloud-init/user-data.yaml" ? " (user-data: only servers created from now on read it)" : "";
  return [`  - ${p.status} \`${p.path}\` (+${p.added} −${p.removed})${note}`, "", `    ${fence}diff`, ...shown.map((l) => `    ${l}`), ...(cut ? [`    … ${lines.length - SHORT_PATCH_LINES} more lines`] : []), `    ${fence}`, ""];
}

function hostSection(h: HostChange, patches: readonly FilePatch[], detail: Detail): string[] {
  const head = `- **${h.host}** ${h.status}${h.size ? ` (${h.size.before} → ${h.size.after})` : ""}${h.headroomMb ? `, memory left ${h.headroomMb.before} → ${h.headroomMb.after} MB` : ""}`;
  const files = [...h.files.added.map((f) => `added ${f}`), ...h.files.changed.map((f) => `changed ${f}`), ...h.files.removed.map((f) => `removed ${f}`)];
  const units = unitActions(h.restarts, h.reloads);
  const summary = `${plural(files.length, "file")}${units ? `; ${units}` : ""}`;
  const pkgs = h.packages.added.length + h.packages.sources.length ? [`  - packages step installs ${[...h.packages.sources.map((s) => `apt source \`${s}\``), ...h.packages.added.map((p) => `\`${p}\``)].join(", ")}`] : [];
  if (files.length === 0 || detail === "summary") return [head, ...h.processes.map(processLine), ...pkgs, ...(files.length ? [`  - ${summary}`] : [])];
  const withPatch = new Set(detail === "lists" ? [] : patches.map((p) => p.path));
  const body = [...files.filter((f) => !withPatch.has(f.replace(/^\w+ /, ""))).map((f) => `  - ${f}`), ...(detail === "lists" ? [] : patches.flatMap((p) => patchBlock(p, detail)))];
  return [head, ...h.processes.map(processLine), ...pkgs, `  <details><summary>${summary}</summary>`, "", ...body, "", "  </details>"];
}

function resourceSection(r: ResourceDiff, detail: Detail): string[] {
  const c = r.counts;
  // What loses something first: deletions, replacements, then creations and in-place updates.
  const rank = { delete: 0, replace: 1, create: 2, update: 3 } as const;
  const changes = r.changes.filter((x) => x.type !== "command:remote:Command").sort((a, b) => rank[a.op] - rank[b.op] || kind(a.type).localeCompare(kind(b.type)) || a.name.localeCompare(b.name));
  const commands = r.changes.length - changes.length;
  const line = `**Cloud resources:** ${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete${commands ? ` (${plural(commands, "host command")} among them run again)` : ""}`;
  if (changes.length === 0 || detail === "summary") return [line, ""];
  const rows = changes.map((x) => `| ${x.op} | ${kind(x.type)} | \`${x.name}\` | ${x.inputs.map((i) => `\`${i}\``).join(", ")}${x.protect ? " (protected)" : ""} |`);
  return [line, "", `<details><summary>${plural(changes.length, "cloud resource")}</summary>`, "", "| | type | name | inputs |", "|---|---|---|---|", ...rows, "", "</details>", ""];
}

/** Workloads and node pools whose plan changed, the cost at maximum scale, and what runs on the cluster. */
function kubernetesSection(k: KubernetesChange, currency: string): string[] {
  const out: string[] = [];
  const row = (c: { name: string; before?: string; after?: string }) => `| ${c.name} | ${c.before ?? "—"} | ${c.after ?? "—"} |`;
  if (k.workloads.length) out.push("| workload | before | after |", "|---|---|---|", ...k.workloads.map(row), "");
  if (k.pools.length) out.push("| node pool | before | after |", "|---|---|---|", ...k.pools.map(row), "");
  if (k.costAtMax.before !== k.costAtMax.after && k.costAtMax.after !== undefined) out.push(`With every node pool at its maximum: ${delta(currency, k.costAtMax.before ?? 0, k.costAtMax.after)}.`, "");
  const head = k.rollout.length ? ["**Rollout on the cluster**", "", ...k.rollout.map((r) => `- ${r}`), ""] : ["**Rollout on the cluster:** nothing restarts.", ""];
  return out.length ? ["**Kubernetes**", "", ...out, ...head] : head;
}

function rolloutSection(r: RolloutChange): string[] {
  const out: string[] = [];
  if (r.upgrade) {
    const u = r.upgrade;
    out.push(`- Upgrade ${u.from} → ${u.to}: build on every app host, migrations on **${u.migrationHost}** (pre-deployment before any host switches, post-deployment after the last), switch ${u.batches.map((b) => b.join(" + ")).join(" → ")}.`);
  }
  if (r.newHosts.length) out.push(`- New hosts boot, converge and start their units: ${r.newHosts.join(", ")}.`);
  for (const h of r.restarts) out.push(`- ${h.batch !== undefined ? `batch ${h.batch}` : "in parallel"}: **${h.host}** ${unitActions(h.restarts, h.reloads)}`);
  return out.length ? ["**Rollout**", "", ...out, ""] : ["**Rollout:** nothing restarts.", ""];
}

/** The lines before any per-host detail: never trimmed (data at risk, money, capacity). */
export function headMarkdown(d: Renderable, title = d.stack): string[] {
  const lines = [`## ${title}`, ""];
  const risks = d.resources?.risks ?? [];
  if (risks.length) lines.push("> [!CAUTION]", `> **Data at risk in ${d.stack}:**`, ...risks.map(riskLine), "");
  lines.push(`**Monthly cost:** ${delta(d.currency, d.monthly.before, d.monthly.after)}`, "");
  if (d.costs.length) lines.push("| resource | what | change | monthly |", "|---|---|---|---|", ...d.costs.map((c) => costRow(d.currency, c)), "");
  lines.push(`**Connections:** clients ${arrow(d.budget.clients)} of ${arrow(d.budget.limit)}${d.budget.poolSize.after !== null || d.budget.poolSize.before !== null ? `, pool ${arrow(d.budget.poolSize)}` : ""}`, "");
  for (const m of d.margins) lines.push(`> [!WARNING]\n> ${m}`, "");
  return lines;
}

export function renderDiffMarkdown(d: Renderable, detail: Detail = "full", title = d.stack): string {
  const lines = headMarkdown(d, title);
  if (d.resources) lines.push(...resourceSection(d.resources, detail));
  if (d.kubernetes) lines.push(...kubernetesSection(d.kubernetes, d.currency));
  else if (d.rollout) lines.push(...rolloutSection(d.rollout));
  if (d.kubernetes && d.hosts.length === 0) {
    // A stack on Kubernetes has no hosts: nothing more to say about them.
  } else if (d.hosts.length) lines.push("**Hosts**", "", ...d.hosts.flatMap((h) => hostSection(h, d.patches?.[h.host] ?? [], detail)), "");
  else lines.push("No host changes.", "");
  if (d.warnings.added.length) lines.push("**New warnings**", "", ...d.warnings.added.map((w) => `- ${w}`), "");
  if (d.warnings.resolved.length) lines.push("**Resolved warnings**", "", ...d.warnings.resolved.map((w) => `- ${w}`), "");
  return `${lines.join("\n").trimEnd()}\n`;
}
