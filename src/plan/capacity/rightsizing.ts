// Hosts far larger than what runs on them. Application processes are sized from a host's vCPU
// (Puma workers, streaming processes, Sidekiq threads), so extra memory beyond that buys nothing:
// a host planned at under half its memory is re-planned on each cheaper size sold in the region,
// and the cheapest one that yields the very same processes is suggested. Data services are left
// alone: Postgres, Redis and OpenSearch are tuned to fill whatever host they get.
import { formatCount, formatMoney } from "../format";
import { catalogFor, serversSoldIn } from "../../catalog";
import type { ServerSize } from "../../catalog/types";
import type { Spec } from "../../spec/schema/stack";
import { sizeHost, type SizedHost } from "./hosts";

/** A host is "far larger" than its plan when the plan uses less than this share of its usable memory. */
const FAR_LARGER = 0.5;
/** A suggested size must keep this share of its memory free, or the plan would warn about spikes instead. */
const SPARE = 0.05;
const DATA_ROLES = ["postgres", "redis", "search"] as const;

const sameProcesses = (a: SizedHost, b: SizedHost) => JSON.stringify(a.processes) === JSON.stringify(b.processes);

/** The cheapest cheaper size on which every instance of the group plans the same processes and fits. */
function cheaperFit(spec: Spec, group: readonly SizedHost[], pgbouncers: readonly string[]): ServerSize | undefined {
  const current = group[0]!.instance.size;
  const candidates = serversSoldIn(spec.provider.cloud, spec.provider.region).filter(
    (s) => s.monthly < current.monthly && s.arch === current.arch,
  );
  return candidates.find((size) =>
    group.every((h) => {
      const resized = sizeHost(spec, { ...h.instance, size }, pgbouncers);
      return sameProcesses(h, resized) && resized.memory.availableMb - resized.memory.usedMb >= size.memoryMb * SPARE;
    }),
  );
}

export function oversizedHosts(spec: Spec, hosts: readonly SizedHost[], pgbouncers: readonly string[]): string[] {
  const currency = catalogFor(spec.provider.cloud).currency;
  const out: string[] = [];
  spec.hosts.forEach((g, i) => {
    const group = hosts.filter((h) => h.group === g.name);
    const first = group[0];
    if (!first || first.processes.length === 0 || first.roles.some((r) => (DATA_ROLES as readonly string[]).includes(r))) return;
    const largest = Math.max(...group.map((h) => h.memory.usedMb));
    if (largest >= first.memory.availableMb * FAR_LARGER) return;
    const fit = cheaperFit(spec, group, pgbouncers);
    if (!fit) return;
    const current = first.instance.size;
    const saving = (current.monthly - fit.monthly) * group.length;
    const each = group.length > 1 ? ` each (${group.length} hosts)` : "";
    const cpu = fit.dedicatedCpu === current.dedicatedCpu ? "" : fit.dedicatedCpu ? " dedicated" : " shared";
    out.push(
      `hosts[${i}] ${g.name} (${current.slug}: ${current.vcpu} vCPU, ${formatCount(current.memoryMb)} MB) is far larger than its processes need: they plan ${formatCount(largest)} MB of ${formatCount(first.memory.availableMb)} MB${each}; ` +
        `${fit.slug} (${fit.vcpu}${cpu} vCPU, ${formatCount(fit.memoryMb)} MB) runs the same processes for ${formatMoney(saving, currency)} less per month`,
    );
  });
  return out;
}
