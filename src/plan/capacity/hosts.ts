// Sizes every process on every host and checks each host's memory budget.
import { queuesOf } from "../../spec/schema/common";
import type { Spec } from "../../spec/schema/stack";
import type { HostInstance } from "../topology";
import type { MemoryItem, PlannedHost, PlannedProcess } from "../types";
import { allot, runsPgbouncer, type Allotment } from "./allotment";

import { explicitGroups, planSidekiq, sidekiqTarget, toProcesses, type SidekiqSizing } from "./sidekiq";
import { SIDEKIQ_MAX_THREADS } from "./model";
import { planPuma, planStreaming } from "./web";

export type SizedHost = Omit<PlannedHost, "files" | "userData" | "packages"> & {
  allotment: Allotment;
  instance: HostInstance;
  /** How the derived Sidekiq layout was sized (hosts without explicit queue groups). */
  sidekiqSizing?: SidekiqSizing;
};

export interface SidekiqOptions {
  /** This host's derived layout takes the scheduler queue (one host in the stack). */
  scheduler: boolean;
  /** Most threads the derived layout may use under a fixed connection limit. */
  connectionCap?: number;
}

export function pgbouncerHosts(spec: Spec, instances: readonly HostInstance[]): string[] {
  if (!spec.postgres.pool.enabled || spec.postgres.managed) return [];
  const dedicated = instances.filter((h) => h.roles.includes("pgbouncer")).map((h) => h.name);
  // Without a pgbouncer host, the pool runs beside Postgres.
  return dedicated.length > 0 ? dedicated : instances.filter((h) => h.roles.includes("postgres")).map((h) => h.name);
}

export function sizeHost(spec: Spec, host: HostInstance, pgbouncers: readonly string[], sidekiq: SidekiqOptions = { scheduler: false }): SizedHost {
  const a = allot(spec, host, runsPgbouncer(spec, host, pgbouncers));
  const roles = host.roles;
  const processes: PlannedProcess[] = [];
  let appMb = a.appMb;
  if (roles.includes("streaming")) {
    const streaming = planStreaming(host.size.vcpu, spec.tuning.streaming?.processes);
    processes.push(...streaming);
    appMb -= streaming.reduce((n, p) => n + p.memoryMb, 0);
  }
  const runsWeb = roles.includes("web");
  const runsSidekiq = roles.includes("sidekiq");
  const appShare = runsWeb && runsSidekiq ? Math.floor(appMb / 2) : appMb;
  if (runsWeb) processes.push(planPuma(a.cpuShare, appShare, spec.tuning.puma));
  let sidekiqSizing: SidekiqSizing | undefined;
  if (runsSidekiq && host.group.sidekiq) {
    processes.push(...toProcesses(explicitGroups(host.group.sidekiq.groups, Math.min(SIDEKIQ_MAX_THREADS, sidekiqTarget(a.cpuShare)))));
  } else if (runsSidekiq) {
    const fasp = queuesOf(spec.mastodon.version).includes("fasp");
    const memoryMb = runsWeb ? appMb - (processes.find((p) => p.kind === "web")?.memoryMb ?? 0) : appShare;
    sidekiqSizing = planSidekiq(a.cpuShare, memoryMb, sidekiq.scheduler, fasp, sidekiq.connectionCap);
    processes.push(...toProcesses(sidekiqSizing.groups));
  }

  // Present processes in a fixed order (web, streaming, sidekiq) whatever order they were sized in.
  const order = { web: 0, streaming: 1, sidekiq: 2 } as const;
  processes.sort((x, y) => order[x.kind] - order[y.kind]);
  const items: MemoryItem[] = [...a.fixed];
  if (a.postgresMb) items.push({ what: "postgres", mb: a.postgresMb });
  if (a.redisMb) items.push({ what: "redis", mb: a.redisMb });
  if (a.searchMb) items.push({ what: "opensearch", mb: a.searchMb });
  for (const p of processes) items.push({ what: p.unit.replace(/\.service$/, ""), mb: p.memoryMb });
  const usedMb = items.reduce((n, i) => n + i.mb, 0);
  return {
    name: host.name,
    group: host.group.name,
    index: host.index,
    size: host.size.slug,
    vcpu: host.size.vcpu,
    memoryMb: host.size.memoryMb,
    roles: [...roles],
    ipv6Only: host.group.ipv6Only,
    privateAddress: host.privateAddress,
    ...(host.group.volume ? { volumeGb: host.group.volume.sizeGb } : {}),
    processes,
    memory: { items, usedMb, availableMb: host.size.memoryMb - a.headroomMb, headroomMb: a.headroomMb },
    allotment: a,
    instance: host,
    ...(sidekiqSizing ? { sidekiqSizing } : {}),
  };
}

