// Cross-field rules: what one field means depends on another (a role needs a host, a size
// needs a provider). They run after the shape is valid, and report every problem at once.
import { closest } from "fastest-levenshtein";
import { catalogFor } from "../catalog";
import { queuesOf, type Role } from "./schema/common";
import type { Spec } from "./schema/stack";
import { dnsZone, inZone, webDomainOf } from "./dns";
import { checkAddressing, checkNetwork } from "./network-rules";
import { checkManagedNodes, checkManagedRegion, checkServerSize } from "./catalog-rules";
import type { ManagedSize } from "../catalog/types";
import { checkRelease } from "./release-rules";
import { checkKubernetesTier } from "./kubernetes-rules";

export type Path = readonly (string | number)[];

export interface RuleIssue {
  path: Path;
  message: string;
  fix: string;
}

type Report = (path: Path, message: string, fix: string) => void;

function didYouMean(value: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return "";
  const near = closest(value, [...candidates]);
  return ` (did you mean ${near}?)`;
}

function hostsWith(spec: Spec, role: Role): number[] {
  return spec.hosts.flatMap((h, i) => (h.roles.includes(role) ? [i] : []));
}

function checkHosts(spec: Spec, report: Report): void {
  const seen = new Map<string, number>();
  spec.hosts.forEach((h, i) => {
    const first = seen.get(h.name);
    if (first !== undefined) report(["hosts", i, "name"], `host name "${h.name}" is already used by hosts[${first}]`, "give every host group its own name");
    seen.set(h.name, i);
    checkServerSize(spec, ["hosts", i, "size"], h.size, report);
    if (h.sidekiq && !h.roles.includes("sidekiq")) {
      report(["hosts", i, "sidekiq"], `host "${h.name}" has Sidekiq queue groups but not the sidekiq role`, "add sidekiq to its roles or remove the sidekiq section");
    }
    for (const role of ["postgres", "redis", "search", "media"] as const) {
      if (h.roles.includes(role) && h.count > 1) {
        report(["hosts", i, "count"], `host "${h.name}" runs ${role} but has count ${h.count}; data services are not replicated across copies`, `set count: 1, or move ${role} to its own host with count: 1`);
      }
    }
    if (h.volume && !h.roles.includes("postgres") && !h.roles.includes("media") && !h.roles.includes("search")) {
      report(["hosts", i, "volume"], `host "${h.name}" has a volume but no role that keeps data on it (postgres, search or media)`, "remove the volume or add the role that needs it");
    }
    if (h.ipv6Only && spec.provider.cloud !== "hetzner") {
      report(["hosts", i, "ipv6Only"], `ipv6Only is only offered on hetzner, not ${spec.provider.cloud}`, "remove ipv6Only");
    }
    if (h.ipv6Only && (h.roles.includes("web") || h.roles.includes("sidekiq")) && !spec.network.ipv4Egress) {
      report(["hosts", i, "ipv6Only"], `host "${h.name}" is IPv6-only but runs ${h.roles.includes("web") ? "web" : "sidekiq"}, which must reach IPv4-only peers and GitHub`, "set network.ipv4Egress: { gateway: <a host group with IPv4> } or drop ipv6Only");
    }
    if (h.ipv6Only && h.roles.includes("proxy") && !spec.loadBalancer.enabled) {
      report(["hosts", i, "ipv6Only"], `host "${h.name}" faces users but is IPv6-only, so IPv4-only visitors could not reach the instance`, "drop ipv6Only on proxy hosts or enable loadBalancer");
    }
  });
  const egress = spec.network.ipv4Egress;
  if (egress) {
    const gw = spec.hosts.findIndex((h) => h.name === egress.gateway);
    if (gw < 0) report(["network", "ipv4Egress", "gateway"], `no host is named "${egress.gateway}"${didYouMean(egress.gateway, spec.hosts.map((h) => h.name))}`, "name a host with a public IPv4 address");
    else if (spec.hosts[gw]?.ipv6Only) report(["network", "ipv4Egress", "gateway"], `gateway host "${egress.gateway}" is itself IPv6-only`, "name a host that keeps its IPv4 address");
  }
}

function checkRolesPresent(spec: Spec, report: Report): void {
  for (const role of ["proxy", "web", "streaming", "sidekiq"] as const) {
    if (hostsWith(spec, role).length === 0) report(["hosts"], `no host has the ${role} role; every instance needs ${role}`, `add ${role} to the roles of a host`);
  }
}

/** A self-hosted service names its host; a managed one must be sold by the provider. */
function checkDataServices(spec: Spec, report: Report): void {
  const cat = catalogFor(spec.provider.cloud);
  const cloud = spec.provider.cloud;
  const selfHosted = (svc: "postgres" | "redis" | "search", host: string | undefined) => {
    const holders = hostsWith(spec, svc);
    if (host === undefined) {
      // Self-hosted search is refused (release-rules.ts): do not suggest it.
      const fix = (name: string | undefined) => (svc === "search" ? "remove search from its roles (mastodon-stack installs no OpenSearch; use search.managed on DigitalOcean)" : `remove ${svc} from its roles or set ${svc}.selfHosted.host: ${name}`);
      for (const i of holders) report(["hosts", i, "roles"], `host "${spec.hosts[i]?.name}" has the ${svc} role but ${svc} is not selfHosted`, fix(spec.hosts[i]?.name));
      return;
    }
    const idx = spec.hosts.findIndex((h) => h.name === host);
    if (idx < 0) report([svc, "selfHosted", "host"], `no host is named "${host}"${didYouMean(host, spec.hosts.map((h) => h.name))}`, `name the host that has the ${svc} role`);
    else if (!spec.hosts[idx]?.roles.includes(svc)) report([svc, "selfHosted", "host"], `host "${host}" does not have the ${svc} role`, `add ${svc} to hosts[${idx}].roles`);
    for (const i of holders) if (spec.hosts[i]?.name !== host) report(["hosts", i, "roles"], `host "${spec.hosts[i]?.name}" has the ${svc} role but ${svc}.selfHosted.host is "${host}"`, `remove ${svc} from its roles`);
  };
  const managed = (path: Path, what: string, size: string, table: Readonly<Record<string, ManagedSize>>) => {
    const sizes = Object.keys(table).sort();
    const found = Object.hasOwn(table, size) ? table[size] : undefined;
    if (sizes.length === 0) report(path, `${cloud} has no managed ${what}`, `use selfHosted on a host with the right role`);
    else if (!found) report([...path, "size"], `"${size}" is not a ${cloud} managed ${what} size${didYouMean(size, sizes)}`, `use one of: ${sizes.join(", ")}`);
    else checkManagedRegion(spec, path, what, found, table, report);
  };
  const pg = spec.postgres;
  if (pg.managed) managed(["postgres", "managed"], "Postgres", pg.managed.size, cat.managedPostgres);
  checkManagedNodes(spec, report);
  selfHosted("postgres", pg.selfHosted?.host);
  if (pg.pool.enabled && pg.pool.mode === "statement") {
    report(["postgres", "pool", "mode"], "statement pooling breaks Mastodon, which runs multi-statement transactions", "use mode: transaction");
  }
  const pgbouncers = hostsWith(spec, "pgbouncer");
  if (pg.managed) for (const i of pgbouncers) report(["hosts", i, "roles"], "managed Postgres pools connections with the provider's PgBouncer; a pgbouncer host would pool twice", "remove the pgbouncer role");
  if (!pg.pool.enabled) for (const i of pgbouncers) report(["hosts", i, "roles"], "postgres.pool.enabled is false, so no PgBouncer runs", "remove the pgbouncer role or enable the pool");

  if (spec.redis.managed) managed(["redis", "managed"], "Redis/Valkey", spec.redis.managed.size, cat.managedRedis);
  selfHosted("redis", spec.redis.selfHosted?.host);
  if (spec.search.managed) managed(["search", "managed"], "OpenSearch", spec.search.managed.size, cat.managedOpenSearch);
  selfHosted("search", spec.search.selfHosted?.host);
}

function checkMedia(spec: Spec, report: Report): void {
  const cat = catalogFor(spec.provider.cloud);
  const media = hostsWith(spec, "media");
  if (spec.media.spaces) {
    const regions = cat.objectStorage?.regions ?? [];
    if (regions.length === 0) report(["media", "spaces"], `${spec.provider.cloud} has no Spaces object storage`, "use r2 or s3");
    else if (!regions.includes(spec.media.spaces.region)) report(["media", "spaces", "region"], `Spaces is not offered in "${spec.media.spaces.region}"${didYouMean(spec.media.spaces.region, regions)}`, `use one of: ${regions.join(", ")}`);
  }
  if (spec.media.r2 && spec.dns.provider !== "cloudflare" && spec.media.r2.customDomain) {
    report(["media", "r2", "customDomain"], "an R2 custom domain needs the zone on Cloudflare", "set dns.provider: cloudflare or remove customDomain");
  }
  if (!spec.media.local) {
    for (const i of media) report(["hosts", i, "roles"], "the media role keeps uploads on local disk, but media is not local", "remove the media role or set media: { local: {} }");
    return;
  }
  const web = hostsWith(spec, "web");
  const instances = web.reduce((n, i) => n + (spec.hosts[i]?.count ?? 0), 0);
  if (instances !== 1) {
    report(["media", "local"], `local media needs exactly one web host, but ${instances} web hosts would each keep their own uploads`, "use object storage (r2, s3 or spaces) or run one web host");
    return;
  }
  const host = spec.hosts[web[0]!]!;
  if (!host.roles.includes("sidekiq")) report(["media", "local"], `local media is written by Sidekiq and served from the web host, so "${host.name}" must also run sidekiq`, `add sidekiq to the roles of "${host.name}" or use object storage`);
  for (const i of media) if (i !== web[0]) report(["hosts", i, "roles"], `local media lives on the web host "${host.name}"`, "move the media role to the web host");
}

/**
 * Each Sidekiq process is a unit named mastodon-sidekiq-<group name>[-<n>], the group name
 * defaulting to its queues joined by "-". Two groups that come to the same name would write one
 * unit file twice; refused here, where the groups have a line, rather than by the renderer.
 */
function checkSidekiqUnits(spec: Spec, report: Report): void {
  spec.hosts.forEach((h, i) => {
    const owner = new Map<string, number>();
    h.sidekiq?.groups.forEach((g, j) => {
      const name = g.name ?? g.queues.join("-");
      const units = g.processes === 1 ? [name] : Array.from({ length: g.processes }, (_, k) => `${name}-${k + 1}`);
      const clash = units.find((u) => owner.has(u));
      if (clash !== undefined) {
        report(["hosts", i, "sidekiq", "groups", j, g.name === undefined ? "queues" : "name"], `queue groups ${owner.get(clash)} and ${j} of host "${h.name}" would both run as mastodon-sidekiq-${clash}.service`, `give group ${j} a name of its own (name: ...) that no other group of this host has or starts with`);
      }
      for (const u of units) if (!owner.has(u)) owner.set(u, j);
    });
  });
}

/** The scheduler queue enqueues periodic jobs: two processes would run every job twice. */
function checkScheduler(spec: Spec, report: Report): void {
  const runs: { path: Path; copies: number }[] = [];
  let implicit = false;
  spec.hosts.forEach((h, i) => {
    if (!h.roles.includes("sidekiq")) return;
    if (!h.sidekiq) {
      implicit = true;
      return;
    }
    h.sidekiq.groups.forEach((g, j) => {
      if (g.queues.includes("scheduler")) runs.push({ path: ["hosts", i, "sidekiq", "groups", j, "queues"], copies: g.processes * h.count });
    });
  });
  const total = runs.reduce((n, r) => n + r.copies, 0);
  if (total > 1) {
    for (const r of runs) report(r.path, `the scheduler queue would run in ${total} processes across the stack; it must run in exactly one`, "keep scheduler in one group with processes: 1 on a host with count: 1");
  } else if (total === 0 && !implicit && hostsWith(spec, "sidekiq").length > 0) {
    report(["hosts"], "no Sidekiq process runs the scheduler queue, so periodic jobs would never run", "add scheduler to exactly one queue group");
  }
}

/**
 * With every Sidekiq host on explicit queue groups, a queue no group lists has no process: its
 * jobs pile up in Redis and never run (push: deliveries to other servers; pull: fetches;
 * mailers: e-mail; fasp from 4.4). The scheduler has its own rule above. A host that derives
 * its groups runs every queue, so any such host covers them all.
 */
function checkQueueCoverage(spec: Spec, report: Report): void {
  const sidekiq = hostsWith(spec, "sidekiq");
  if (sidekiq.length === 0 || sidekiq.some((i) => !spec.hosts[i]?.sidekiq)) return;
  const listed = new Set(sidekiq.flatMap((i) => spec.hosts[i]?.sidekiq?.groups.flatMap((g) => g.queues) ?? []));
  const missing = queuesOf(spec.mastodon.version).filter((q) => q !== "scheduler" && !listed.has(q));
  if (missing.length === 0) return;
  const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
  report(
    ["hosts", sidekiq[0]!, "sidekiq", "groups"],
    `no Sidekiq process runs the ${list} queue${missing.length === 1 ? "" : "s"} (Mastodon ${spec.mastodon.version}), so ${missing.length === 1 ? "its" : "their"} jobs would never run`,
    `add ${missing.length === 1 ? "it" : "them"} to a queue group, e.g. { queues: [${missing.join(", ")}] }, or remove a Sidekiq host's sidekiq section so the planner derives groups for every queue`,
  );
}

function checkProvider(spec: Spec, report: Report): void {
  const cat = catalogFor(spec.provider.cloud);
  if (!cat.regions.includes(spec.provider.region)) {
    report(["provider", "region"], `"${spec.provider.region}" is not a ${spec.provider.cloud} region${didYouMean(spec.provider.region, cat.regions)}`, `use one of: ${cat.regions.join(", ")}`);
  }
  if (spec.loadBalancer.enabled && hostsWith(spec, "proxy").length === 0) {
    report(["loadBalancer", "enabled"], "the load balancer needs hosts with the proxy role behind it", "add proxy to a host's roles");
  }
  if (spec.loadBalancer.enabled && spec.loadBalancer.tls === "terminate" && !(spec.provider.cloud === "digitalocean" && spec.dns.provider === "digitalocean")) {
    // The balancer's Let's Encrypt certificate is issued through the provider's own DNS:
    // DigitalOcean's for a DigitalOcean balancer; Hetzner's needs Hetzner DNS, which we do not manage.
    report(["loadBalancer", "tls"], "a TLS-terminating load balancer needs a provider-managed certificate, which needs the zone on DigitalOcean DNS", "use tls: passthrough (the proxies hold the certificate), or on DigitalOcean set dns.provider: digitalocean");
  }
  if (spec.dns.provider === "digitalocean" && spec.provider.cloud !== "digitalocean") {
    report(["dns", "provider"], "DigitalOcean DNS needs a DigitalOcean token; this stack runs on hetzner", "use cloudflare or none");
  }
}

function checkDns(spec: Spec, report: Report): void {
  if (spec.dns.provider === "none") {
    if (spec.mail?.records) report(["mail", "records"], "mail records need a DNS provider to create them", "set dns.provider to digitalocean or cloudflare, or create the records yourself and remove mail.records");
    return;
  }
  const zone = dnsZone(spec);
  const webDomain = webDomainOf(spec);
  if (!inZone(webDomain, zone)) report(spec.webDomain ? ["webDomain"] : ["domain"], `"${webDomain}" is not inside the DNS zone "${zone}"`, "set dns.zone to the registered domain that holds it");
  if (spec.loadBalancer.enabled && spec.loadBalancer.tls === "terminate" && spec.dns.provider === "digitalocean") {
    // DigitalOcean issues the balancer's Let's Encrypt certificate through its own DNS: a name
    // outside the zone cannot be on it (Certificate.domains "must be managed using
    // DigitalOcean's DNS"), and a name missing from it would fail TLS for every visitor using it.
    const named: [Path, string][] = [[["domain"], spec.domain], ...spec.alternateDomains.map((d, i): [Path, string] => [["alternateDomains", i], d])];
    for (const [path, name] of named) {
      // The web domain outside the zone is reported above.
      if (name !== webDomain && !inZone(name, zone)) report(path, `"${name}" is outside the DNS zone "${zone}", so the TLS-terminating load balancer's certificate (issued through DigitalOcean DNS) cannot cover it`, "use loadBalancer.tls: passthrough (the proxies' own certificates cover names in any zone), move the name into the zone, or remove it");
    }
  }
  if (spec.mail?.records && !inZone(spec.domain, zone)) report(["mail", "records"], `mail records go at "${spec.domain}", outside the DNS zone "${zone}"`, "set dns.zone to the registered domain that holds it");
}

export function checkRules(spec: Spec): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const report: Report = (path, message, fix) => issues.push({ path, message, fix });
  checkProvider(spec, report);
  checkNetwork(spec, report);
  checkAddressing(spec, report);
  checkHosts(spec, report);
  checkKubernetesTier(spec, report);
  // On Kubernetes the processes are pods: roles, units and queue groups are kubernetes-rules.ts's.
  if (!spec.kubernetes) {
    checkRolesPresent(spec, report);
    checkScheduler(spec, report);
    checkQueueCoverage(spec, report);
    checkSidekiqUnits(spec, report);
  }
  checkDataServices(spec, report);
  checkMedia(spec, report);
  checkDns(spec, report);
  checkRelease(spec, report);
  return issues;
}
