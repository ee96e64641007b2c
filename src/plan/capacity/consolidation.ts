// A small stack split over several servers that would all fit on one cheaper one. Hetzner no
// longer sells the 1 GB servers the three-host hobby layout was drawn for, so the split that was
// cheapest then now costs three times the smallest server that runs everything. The whole stack
// is re-planned on one host for each size sold in the region, cheapest first, with the same
// capacity checks as the real plan (memory and connections); the first that passes and costs
// less than the servers it would replace is suggested. Only for stacks of single hosts without a
// load balancer: a fleet with replicas is split for availability, not by accident.
import { formatMoney } from "../format";
import { catalogFor, serversSoldIn } from "../../catalog";
import type { Spec } from "../../spec/schema/stack";
import type { SizedHost } from "./hosts";

type HostGroup = Spec["hosts"][number];

/** The stack with every role on one host (named after the host that serves the web), on `size`. */
export function onOneHost(spec: Spec, size: string): Spec {
  const front = spec.hosts.find((g) => g.roles.includes("proxy")) ?? spec.hosts[0]!;
  const roles = [...new Set(spec.hosts.flatMap((g) => g.roles))] as HostGroup["roles"];
  const volumeGb = Math.max(0, ...spec.hosts.map((g) => g.volume?.sizeGb ?? 0));
  const { sidekiq: _explicitGroups, volume: _volume, ...rest } = front;
  const host: HostGroup = { ...rest, size, roles, ipv6Only: false, ...(volumeGb > 0 ? { volume: { sizeGb: volumeGb } } : {}) };
  const name = host.name;
  const { ipv4Egress: _gateway, ...network } = spec.network;
  return {
    ...spec,
    hosts: [host],
    network,
    postgres: spec.postgres.selfHosted ? { ...spec.postgres, selfHosted: { ...spec.postgres.selfHosted, host: name } } : spec.postgres,
    redis: spec.redis.selfHosted ? { ...spec.redis, selfHosted: { ...spec.redis.selfHosted, host: name } } : spec.redis,
    search: spec.search.selfHosted ? { ...spec.search, selfHosted: { ...spec.search.selfHosted, host: name } } : spec.search,
  };
}

/** The suggestion (none or one). `fits` runs the real plan's capacity checks on a spec. */
export function consolidation(spec: Spec, hosts: readonly SizedHost[], fits: (s: Spec) => boolean): string[] {
  if (spec.hosts.length < 2 || spec.loadBalancer.enabled || spec.hosts.some((g) => g.count > 1)) return [];
  const now = hosts.reduce((sum, h) => sum + h.instance.size.monthly, 0);
  const arch = hosts[0]!.instance.size.arch;
  const fit = serversSoldIn(spec.provider.cloud, spec.provider.region)
    .filter((s) => s.monthly < now && s.arch === arch)
    .find((s) => fits(onOneHost(spec, s.slug)));
  if (!fit) return [];
  const currency = catalogFor(spec.provider.cloud).currency;
  return [
    `the whole stack fits on one ${fit.slug} (${fit.vcpu} vCPU, ${fit.memoryMb / 1024} GB) for ${formatMoney(fit.monthly, currency)}/month instead of ${hosts.length} servers for ${formatMoney(now, currency)}: ` +
    `its processes, sized for that host, pass the same memory and connection checks (see stacks/single.yaml for the one-box layout); keep the split only if you want the database apart from the web`,
  ];
}
