// Rules of the Kubernetes tier: what a stack with a `kubernetes` section may hold. Pods come and
// go, so everything that keeps data is a managed service and media lives in object storage (a
// ReadWriteMany volume would be the only alternative, and DigitalOcean offers none); the
// scheduler queue runs in one replica that never scales.
import { closest } from "fastest-levenshtein";
import ipaddr from "ipaddr.js";
import { queuesOf } from "./schema/common";
import type { Spec } from "./schema/stack";
import { checkServerSize } from "./catalog-rules";
import type { Path } from "./rules";

type Report = (path: Path, message: string, fix: string) => void;

/** The Deployment name suffix of a Sidekiq group: its name, or its queues joined by '-'. */
export const kubeSidekiqName = (g: { name?: string | undefined; queues: readonly string[] }): string => g.name ?? g.queues.join("-");

function checkPools(spec: Spec, report: Report): void {
  const k = spec.kubernetes!;
  const seen = new Map<string, number>();
  k.nodePools.forEach((p, i) => {
    const first = seen.get(p.name);
    if (first !== undefined) report(["kubernetes", "nodePools", i, "name"], `node pool name "${p.name}" is already used by nodePools[${first}]`, "give every node pool its own name");
    seen.set(p.name, i);
    checkServerSize(spec, ["kubernetes", "nodePools", i, "size"], p.size, report);
    if (p.maxNodes < p.minNodes) report(["kubernetes", "nodePools", i, "maxNodes"], `maxNodes ${p.maxNodes} is below minNodes ${p.minNodes}`, `set maxNodes to at least ${p.minNodes}`);
  });
  const names = k.nodePools.map((p) => p.name);
  const refs: [Path, string | undefined][] = [
    [["kubernetes", "web", "pool"], k.web.pool],
    [["kubernetes", "streaming", "pool"], k.streaming.pool],
    ...(k.sidekiq ?? []).map((g, i): [Path, string | undefined] => [["kubernetes", "sidekiq", i, "pool"], g.pool]),
  ];
  for (const [path, pool] of refs) {
    if (pool !== undefined && !names.includes(pool)) report(path, `no node pool is named "${pool}" (did you mean ${closest(pool, names)}?)`, `use one of: ${names.join(", ")}`);
  }
}

function checkSidekiq(spec: Spec, report: Report): void {
  const groups = spec.kubernetes!.sidekiq;
  if (!groups) return;
  const owner = new Map<string, number>();
  groups.forEach((g, i) => {
    const name = kubeSidekiqName(g);
    const first = owner.get(name);
    if (first !== undefined) report(["kubernetes", "sidekiq", i, g.name === undefined ? "queues" : "name"], `sidekiq[${first}] and sidekiq[${i}] would both be the Deployment mastodon-sidekiq-${name}`, "give this group a name of its own (name: ...)");
    owner.set(name, i);
  });
  const schedulers = groups.flatMap((g, i) => (g.queues.includes("scheduler") ? [i] : []));
  if (schedulers.length === 0) report(["kubernetes", "sidekiq"], "no Sidekiq group runs the scheduler queue, so periodic jobs would never run", "add a group { name: scheduler, queues: [scheduler], threads: 5 }");
  if (schedulers.length > 1) for (const i of schedulers) report(["kubernetes", "sidekiq", i, "queues"], `the scheduler queue is in ${schedulers.length} groups; it must run in exactly one replica of one group`, "keep scheduler in one group");
  for (const i of schedulers) {
    const r = groups[i]!.replicas;
    if (r.min !== 1 || r.max !== 1) {
      report(["kubernetes", "sidekiq", i, "replicas"], `the group with the scheduler queue runs ${r.min === r.max ? r.min : `${r.min} to ${r.max}`} replicas; a second replica would run every periodic job twice, so it never scales`, "set replicas: { min: 1, max: 1 }, and move the other queues to a group of their own to scale them");
    }
  }
  const listed = new Set(groups.flatMap((g) => g.queues));
  const missing = queuesOf(spec.mastodon.version).filter((q) => q !== "scheduler" && !listed.has(q));
  if (missing.length > 0) {
    report(["kubernetes", "sidekiq"], `no Sidekiq group runs the ${missing.join(", ")} queue${missing.length === 1 ? "" : "s"} (Mastodon ${spec.mastodon.version}), so ${missing.length === 1 ? "its" : "their"} jobs would never run`, `add ${missing.length === 1 ? "it" : "them"} to a group, e.g. { queues: [${missing.join(", ")}] }, or remove the sidekiq list so the planner derives the groups`);
  }
}

const overlaps = (a: string, b: string): boolean => {
  const [x, xb] = ipaddr.parseCIDR(a);
  const [y, yb] = ipaddr.parseCIDR(b);
  return x.match(y, yb) || y.match(x, xb);
};

/** VPC-native networking (which DOKS's Gateway API needs) routes pod and service addresses in the VPC. */
function checkSubnets(spec: Spec, report: Report): void {
  const k = spec.kubernetes!;
  if (overlaps(k.podCidr, spec.network.privateCidr)) report(["kubernetes", "podCidr"], `${k.podCidr} overlaps network.privateCidr ${spec.network.privateCidr}`, "use a block outside the VPC's, such as 10.244.0.0/16");
  if (overlaps(k.serviceCidr, spec.network.privateCidr)) report(["kubernetes", "serviceCidr"], `${k.serviceCidr} overlaps network.privateCidr ${spec.network.privateCidr}`, "use a block outside the VPC's, such as 10.245.0.0/16");
  if (overlaps(k.podCidr, k.serviceCidr)) report(["kubernetes", "serviceCidr"], `${k.serviceCidr} overlaps kubernetes.podCidr ${k.podCidr}`, "give pods and services separate blocks");
}

/** Everything a stack with a `kubernetes` section must be, each problem with its fix. */
export function checkKubernetesTier(spec: Spec, report: Report): void {
  const k = spec.kubernetes;
  if (!k) {
    if (spec.hosts.length === 0) report(["hosts"], "must list at least one host", "add a host group, or a kubernetes section to run on DigitalOcean Kubernetes");
    return;
  }
  if (spec.provider.cloud !== "digitalocean") {
    report(["kubernetes"], `the Kubernetes tier runs on DigitalOcean Kubernetes only, not ${spec.provider.cloud}`, "remove the kubernetes section and run on hosts, or use provider.cloud: digitalocean");
    return;
  }
  if (spec.hosts.length > 0) report(["hosts"], "a stack on Kubernetes runs every Mastodon process as pods, so it has no hosts", "remove the hosts section (node pools are kubernetes.nodePools)");
  if (!spec.postgres.managed) report(["postgres"], "on Kubernetes PostgreSQL must be managed: a pod is no place for the database", "use postgres.managed");
  if (!spec.postgres.pool.enabled) report(["postgres", "pool", "enabled"], "on Kubernetes the app reaches PostgreSQL through the managed transaction pool: replicas come and go, the database's connections do not", "remove enabled: false");
  else if (spec.postgres.pool.mode !== "transaction") report(["postgres", "pool", "mode"], `a ${spec.postgres.pool.mode} pool gives every replica's threads their own server connections; autoscaling would exhaust it`, "use mode: transaction");
  if (!spec.redis.managed) report(["redis"], "on Kubernetes Redis must be managed (Valkey): Sidekiq's queues must outlive any pod", "use redis.managed");
  if (spec.search.selfHosted) report(["search", "selfHosted"], "on Kubernetes search must be managed OpenSearch or off", "use search.managed or search.off");
  if (spec.media.local) report(["media", "local"], "on Kubernetes media must be in object storage: pods share no disk (DigitalOcean offers no ReadWriteMany volumes)", "use media.spaces (with cdn), r2 or s3");
  if (spec.loadBalancer.enabled) report(["loadBalancer"], "on Kubernetes the cluster's Gateway creates its own DigitalOcean load balancer", "remove the loadBalancer section");
  if (spec.backups) report(["backups"], "the off-site pg_dump backups run on a host; the Kubernetes tier does not run them (the managed database keeps DigitalOcean's daily backups and 7 days of point-in-time recovery)", "remove the backups section, or run on hosts to keep off-site copies");
  checkSubnets(spec, report);
  checkPools(spec, report);
  checkSidekiq(spec, report);
}
