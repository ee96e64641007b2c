// Sidekiq: one process per queue group, ≤ 25 threads each, DB_POOL = threads, the scheduler
// queue in exactly one process of the whole stack. Derived groups follow reference 001's table.
import type { Queue } from "../../spec/schema/common";
import type { SidekiqGroup } from "../../spec/schema/hosts";
import type { PlannedProcess } from "../types";
import {
  SIDEKIQ_MAILERS_THREADS,
  SIDEKIQ_MAX_THREADS,
  SIDEKIQ_MIN_THREADS,
  SIDEKIQ_PER_QUEUE_MIN_THREADS,
  SIDEKIQ_PROCESS_MB,
  SIDEKIQ_SCHEDULER_THREADS,
  SIDEKIQ_THREAD_MB,
  SIDEKIQ_HOST_TARGET_THREADS,
  SIDEKIQ_TARGET_FULL_AT_VCPU,
} from "./model";

export interface QueueGroup {
  name: string;
  queues: Queue[];
  threads: number;
}

const PRIORITY: readonly Queue[] = ["default", "push", "ingress", "mailers", "pull", "scheduler", "fasp"];

export function sidekiqMemoryMb(threads: number): number {
  return SIDEKIQ_PROCESS_MB + threads * SIDEKIQ_THREAD_MB;
}

/** Splits `threads` into processes of at most 25, as even as possible. */
function split(name: string, queues: Queue[], threads: number): QueueGroup[] {
  const n = Math.ceil(threads / SIDEKIQ_MAX_THREADS);
  return Array.from({ length: n }, (_, i) => ({
    name: n === 1 ? name : `${name}-${i + 1}`,
    queues,
    threads: Math.floor(threads / n) + (i < threads % n ? 1 : 0),
  }));
}

/** Queue groups for one host from its thread budget. `fasp` exists from Mastodon 4.4. */
export function deriveGroups(budget: number, scheduler: boolean, fasp: boolean): QueueGroup[] {
  const sorted = (qs: Queue[]) => PRIORITY.filter((q) => qs.includes(q));
  const all = sorted(["default", "push", "ingress", "mailers", "pull", ...(fasp ? (["fasp"] as Queue[]) : []), ...(scheduler ? (["scheduler"] as Queue[]) : [])]);
  if (budget < SIDEKIQ_PER_QUEUE_MIN_THREADS) {
    if (budget <= SIDEKIQ_MAX_THREADS) return [{ name: "all", queues: all, threads: budget }];
    // Several general processes; only the first takes the scheduler.
    const groups = split("all", all.filter((q) => q !== "scheduler"), budget);
    if (scheduler && groups[0]) groups[0] = { ...groups[0], queues: all };
    return groups;
  }
  const schedulerThreads = scheduler ? SIDEKIQ_SCHEDULER_THREADS : 0;
  const rest = budget - SIDEKIQ_MAILERS_THREADS - schedulerThreads;
  const each = Math.min(SIDEKIQ_MAX_THREADS, Math.floor(rest / 4));
  return [
    { name: "default", queues: ["default"] as Queue[], threads: each },
    { name: "push", queues: ["push"] as Queue[], threads: each },
    ...split("ingress", ["ingress"], rest - 3 * each),
    { name: "mailers", queues: sorted(["mailers", ...(fasp ? (["fasp"] as Queue[]) : [])]), threads: SIDEKIQ_MAILERS_THREADS },
    { name: "pull", queues: ["pull"] as Queue[], threads: each },
    ...(scheduler ? [{ name: "scheduler", queues: ["scheduler"] as Queue[], threads: schedulerThreads }] : []),
  ];
}

export function explicitGroups(groups: readonly SidekiqGroup[], defaultThreads: number): QueueGroup[] {
  return groups.flatMap((g) => {
    const name = g.name ?? g.queues.join("-");
    const threads = g.threads ?? Math.min(SIDEKIQ_MAX_THREADS, defaultThreads);
    return Array.from({ length: g.processes }, (_, i) => ({ name: g.processes === 1 ? name : `${name}-${i + 1}`, queues: [...g.queues], threads }));
  });
}

export function toProcesses(groups: readonly QueueGroup[]): PlannedProcess[] {
  return groups.map((g) => ({
    kind: "sidekiq",
    unit: `mastodon-sidekiq-${g.name}.service`,
    workers: 1,
    threads: g.threads,
    dbPool: g.threads,
    connections: g.threads,
    memoryMb: sidekiqMemoryMb(g.threads),
    queues: [...g.queues],
  }));
}

export function memoryOf(groups: readonly QueueGroup[]): number {
  return groups.reduce((n, g) => n + sidekiqMemoryMb(g.threads), 0);
}

/** What bounded a derived layout below its target, if anything. */
export type SidekiqLimit = "memory" | "connections";

export interface SidekiqSizing {
  groups: QueueGroup[];
  /** Threads the host aimed for before memory and connections were checked. */
  target: number;
  threads: number;
  limitedBy?: SidekiqLimit;
}

/** The thread target for a CPU share: 001's 120 per host from 2 vCPU up, less below. */
export function sidekiqTarget(cpuShare: number): number {
  const scaled = Math.round((SIDEKIQ_HOST_TARGET_THREADS * Math.min(cpuShare, SIDEKIQ_TARGET_FULL_AT_VCPU)) / SIDEKIQ_TARGET_FULL_AT_VCPU);
  return Math.max(SIDEKIQ_MIN_THREADS, scaled);
}

const total = (groups: readonly QueueGroup[]) => groups.reduce((n, g) => n + g.threads, 0);

/**
 * The largest derived layout, from the target down in steps of 5, that fits memoryMb and, when
 * the stack's connection limit is fixed, the `connectionCap` threads this host may use.
 */
export function planSidekiq(cpuShare: number, memoryMb: number, scheduler: boolean, fasp: boolean, connectionCap?: number): SidekiqSizing {
  const target = sidekiqTarget(cpuShare);
  let limitedBy: SidekiqLimit | undefined;
  let budget = target;
  if (connectionCap !== undefined && connectionCap < budget) {
    budget = Math.max(SIDEKIQ_MIN_THREADS, connectionCap);
    limitedBy = "connections";
  }
  let groups = deriveGroups(budget, scheduler, fasp);
  while (budget > SIDEKIQ_MIN_THREADS && memoryOf(groups) > memoryMb) {
    budget = Math.max(SIDEKIQ_MIN_THREADS, budget - 5);
    groups = deriveGroups(budget, scheduler, fasp);
    limitedBy = "memory";
  }
  return { groups, target, threads: total(groups), ...(limitedBy ? { limitedBy } : {}) };
}
