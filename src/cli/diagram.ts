// A Mermaid flowchart of the planned architecture: who talks to whom.
import type { KubernetesPlan, Plan, PlannedWorkload } from "../plan/types";

const id = (s: string) => s.replace(/[^a-zA-Z0-9]/g, "_");

/** The cluster: balancer → Gateway → web and streaming pods; Sidekiq Deployments; the managed services. */
function kubernetesMermaid(plan: Plan, k: KubernetesPlan): string {
  const s = plan.services;
  const lines = ["flowchart LR", "  users((users))", "  lb[load balancer<br/>of the Gateway's Service]", "  users --> lb", '  gw{{"Gateway (Cilium)<br/>TLS: cert-manager, Let\'s Encrypt"}}', "  lb --> gw"];
  const replicas = (w: PlannedWorkload) => (w.replicas.min === w.replicas.max ? `${w.replicas.min}` : `${w.replicas.min}–${w.replicas.max}`);
  lines.push(`  subgraph cluster["DOKS ${k.version}: ${k.nodePools.map((p) => `${p.name} ${p.minNodes}–${p.maxNodes} × ${p.size}`).join(", ")}"]`);
  for (const w of k.workloads) {
    const detail = w.kind === "sidekiq" ? `${(w.process.queues ?? []).join(", ")}<br/>${w.process.threads} threads` : w.kind === "web" ? `${w.process.workers} × ${w.process.threads} Puma` : "streaming";
    lines.push(`    ${id(w.name)}["${w.name} × ${replicas(w)}<br/>${detail}"]`);
  }
  lines.push("  end");
  for (const w of k.workloads.filter((x) => x.kind !== "sidekiq")) lines.push(`  gw --> ${id(w.name)}`);
  lines.push(`  pool{{"connection pool<br/>${s.pool.mode}, ${s.pool.size}"}}`, `  pg[("managed postgres<br/>${s.postgres.kind === "managed" ? `${s.postgres.size} × ${s.postgres.nodes}` : ""}")]`, "  pool --> pg");
  if (s.redis.kind === "managed") lines.push(`  redis[("managed valkey<br/>${s.redis.size}")]`);
  if (s.search.kind === "managed") lines.push(`  search[("managed opensearch<br/>${s.search.size}")]`);
  lines.push(`  media[("media: ${s.media.kind}")]`);
  for (const w of k.workloads) {
    lines.push(`  ${id(w.name)} --> pool`, `  ${id(w.name)} --> redis`);
    if (w.kind !== "streaming") lines.push(`  ${id(w.name)} --> media`);
    if (s.search.kind === "managed" && w.kind !== "streaming") lines.push(`  ${id(w.name)} --> search`);
  }
  lines.push('  keda(["KEDA: Sidekiq replicas on queue backlog"])', "  keda -.-> redis");
  return [...new Set(lines)].join("\n");
}

export function mermaid(plan: Plan): string {
  if (plan.kubernetes) return kubernetesMermaid(plan, plan.kubernetes);
  const lines = ["flowchart LR", "  users((users))"];
  const s = plan.services;
  const proxies = plan.hosts.filter((h) => h.roles.includes("proxy"));
  const apps = plan.hosts.filter((h) => h.processes.length > 0);
  let entry = "users";
  if (s.loadBalancer.enabled) {
    lines.push(`  lb[load balancer<br/>TLS ${s.loadBalancer.tls}]`, "  users --> lb");
    entry = "lb";
  }
  for (const h of plan.hosts) {
    const procs = [...new Set(h.processes.map((p) => p.kind))].join(", ");
    lines.push(`  ${id(h.name)}["${h.name}<br/>${h.size}<br/>${h.roles.join(", ")}${procs ? `<br/>(${procs})` : ""}"]`);
  }
  for (const p of proxies) lines.push(`  ${entry} --> ${id(p.name)}`);
  for (const p of proxies) for (const a of apps.filter((a) => a.processes.some((x) => x.kind !== "sidekiq"))) if (a.name !== p.name) lines.push(`  ${id(p.name)} --> ${id(a.name)}`);
  const pg = s.postgres.kind === "managed" ? "pg" : id(s.postgres.host);
  if (s.postgres.kind === "managed") lines.push(`  pg[("managed postgres<br/>${s.postgres.size} × ${s.postgres.nodes}")]`);
  let dbEntry = pg;
  if (s.pool.kind === "managed") {
    lines.push(`  pool{{"connection pool<br/>${s.pool.mode}, ${s.pool.size}"}}`, `  pool --> ${pg}`);
    dbEntry = "pool";
  }
  const redis = s.redis.kind === "managed" ? "redis" : id(s.redis.host);
  if (s.redis.kind === "managed") lines.push(`  redis[("managed valkey<br/>${s.redis.size}")]`);
  const search = s.search.kind === "managed" ? "search" : s.search.kind === "selfHosted" ? id(s.search.host) : undefined;
  if (s.search.kind === "managed") lines.push(`  search[("managed opensearch<br/>${s.search.size}")]`);
  lines.push(`  media[("media: ${s.media.kind}")]`);
  for (const a of apps) {
    const from = id(a.name);
    if (from !== dbEntry) lines.push(`  ${from} --> ${dbEntry}`);
    if (from !== redis) lines.push(`  ${from} --> ${redis}`);
    if (search && from !== search && a.processes.some((p) => p.kind !== "streaming")) lines.push(`  ${from} --> ${search}`);
    if (s.media.kind !== "local" && a.processes.some((p) => p.kind !== "streaming")) lines.push(`  ${from} --> media`);
  }
  for (const h of s.pool.kind === "pgbouncer" ? s.pool.hosts : []) if (id(h) !== pg) lines.push(`  ${id(h)} --> ${pg}`);
  return [...new Set(lines)].join("\n");
}
