// Pods instead of hosts: what one replica of each workload runs (Puma workers × threads, one
// streaming process, one Sidekiq process per queue group) and what it requests, from the same
// memory model the VM tier sizes hosts with (capacity/model.ts).
import type { KubeSidekiq } from "../../spec/schema/kubernetes";
import { queuesOf, type Queue } from "../../spec/schema/common";
import type { Spec } from "../../spec/schema/stack";
import { kubeSidekiqName } from "../../spec/kubernetes-rules";
import { puma } from "../capacity/web";
import { toProcesses } from "../capacity/sidekiq";
import {
  PUMA_WORKERS_PER_VCPU,
  SIDEKIQ_HOST_TARGET_THREADS,
  SIDEKIQ_MAILERS_THREADS,
  SIDEKIQ_MAX_THREADS,
  SIDEKIQ_SCHEDULER_THREADS,
  SIDEKIQ_TARGET_FULL_AT_VCPU,
  STREAMING_DB_POOL,
  STREAMING_PROCESS_MB,
  STREAMING_VCPU_PER_PROCESS,
} from "../capacity/model";
import type { PlannedProcess, PlannedWorkload, PodResources } from "../types";

/**
 * The memory model is a steady state; Ruby heaps grow with a large request or job and shrink
 * slowly. A limit at 1.5× the request lets such a spike pass and still stops a leak before the
 * kernel's OOM killer picks a neighbour on the node. There is no CPU limit: throttling a Puma
 * worker only makes every request on it slower, and the requests already reserve the CPU.
 */
export const MEMORY_LIMIT_FACTOR = 1.5;
/** Sidekiq threads one vCPU carries: 001's 120 threads per 2-vCPU host (capacity/model.ts). */
const SIDEKIQ_THREADS_PER_VCPU = SIDEKIQ_HOST_TARGET_THREADS / SIDEKIQ_TARGET_FULL_AT_VCPU;
const MIN_CPU_MILLIS = 100;

/** The groups derived for a stack that lists none: 001's per-queue table, each queue scaling on its own. */
export function derivedSidekiq(version: string): KubeSidekiq[] {
  const queues = queuesOf(version);
  const scaled = (q: Queue): KubeSidekiq => ({ name: q, queues: [q], threads: SIDEKIQ_MAX_THREADS, replicas: { min: 1, max: 2 }, backlogPerReplica: 500 });
  return [
    scaled("default"),
    scaled("push"),
    scaled("ingress"),
    scaled("pull"),
    { name: "mailers", queues: queues.filter((q) => q === "mailers" || q === "fasp"), threads: SIDEKIQ_MAILERS_THREADS, replicas: { min: 1, max: 1 }, backlogPerReplica: 500 },
    { name: "scheduler", queues: ["scheduler"], threads: SIDEKIQ_SCHEDULER_THREADS, replicas: { min: 1, max: 1 }, backlogPerReplica: 500 },
  ];
}

const memory = (mb: number) => ({ requests: mb, limit: Math.ceil(mb * MEMORY_LIMIT_FACTOR) });

function workload(name: string, process: PlannedProcess, cpuMillis: number, pool: string, replicas: { min: number; max: number }, autoscale: PlannedWorkload["autoscale"], at: (string | number)[]): PlannedWorkload {
  const m = memory(process.memoryMb);
  const requests: PodResources = { cpuMillis: Math.max(MIN_CPU_MILLIS, Math.round(cpuMillis / 10) * 10), memoryMb: m.requests };
  return { name, kind: process.kind, pool, replicas: { ...replicas }, autoscale: replicas.min === replicas.max ? { kind: "fixed" } : autoscale, process, requests, limits: { memoryMb: m.limit }, at };
}

/** Every workload of the stack, web first, then streaming, then Sidekiq in the stack file's order. */
export function planWorkloads(spec: Spec): PlannedWorkload[] {
  const k = spec.kubernetes!;
  const firstPool = k.nodePools[0]!.name;
  const web = puma(k.web.workers, k.web.threads);
  const streaming: PlannedProcess = { kind: "streaming", unit: "streaming", workers: 1, threads: 1, dbPool: STREAMING_DB_POOL, connections: STREAMING_DB_POOL, memoryMb: STREAMING_PROCESS_MB };
  const out: PlannedWorkload[] = [
    workload("web", { ...web, unit: "web" }, (1000 * k.web.workers) / PUMA_WORKERS_PER_VCPU, k.web.pool ?? firstPool, k.web.replicas, { kind: "cpu", targetPercent: k.web.cpuTargetPercent }, ["kubernetes", "web", "replicas"]),
    workload("streaming", streaming, 1000 / STREAMING_VCPU_PER_PROCESS, k.streaming.pool ?? firstPool, k.streaming.replicas, { kind: "cpu", targetPercent: k.streaming.cpuTargetPercent }, ["kubernetes", "streaming", "replicas"]),
  ];
  const groups = k.sidekiq ?? derivedSidekiq(spec.mastodon.version);
  groups.forEach((g, i) => {
    const name = kubeSidekiqName(g);
    const [process] = toProcesses([{ name, queues: [...g.queues], threads: g.threads }]);
    const at = k.sidekiq ? ["kubernetes", "sidekiq", i, "replicas"] : ["kubernetes", "sidekiq"];
    // The scheduler never scales: the spec refuses it, and this keeps a derived group honest too.
    const autoscale: PlannedWorkload["autoscale"] = g.queues.includes("scheduler") ? { kind: "fixed" } : { kind: "queues", queues: [...g.queues], backlogPerReplica: g.backlogPerReplica };
    out.push(workload(`sidekiq-${name}`, { ...process!, unit: `sidekiq-${name}` }, (1000 * g.threads) / SIDEKIQ_THREADS_PER_VCPU, g.pool ?? firstPool, g.replicas, autoscale, at));
  });
  return out;
}
