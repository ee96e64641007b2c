import type { PlannedProcess } from "../types";
import {
  PUMA_MASTER_MB,
  PUMA_PORT,
  PUMA_THREAD_MB,
  PUMA_THREADS_PER_WORKER,
  PUMA_WORKER_MB,
  PUMA_WORKERS_PER_VCPU,
  STREAMING_BASE_PORT,
  STREAMING_DB_POOL,
  STREAMING_PROCESS_MB,
  STREAMING_VCPU_PER_PROCESS,
} from "./model";

export function pumaMemoryMb(workers: number, threads: number): number {
  return PUMA_MASTER_MB + workers * (PUMA_WORKER_MB + threads * PUMA_THREAD_MB);
}

export function puma(workers: number, threads: number): PlannedProcess {
  return {
    kind: "web",
    unit: "mastodon-web.service",
    workers,
    threads,
    dbPool: threads,
    connections: workers * threads,
    memoryMb: pumaMemoryMb(workers, threads),
    port: PUMA_PORT,
  };
}

/**
 * Workers from the CPU share (1.5 per vCPU), fewer if memory is short; a fixed, small thread
 * count per worker (see PUMA_THREADS_PER_WORKER) so a bigger host adds workers, not threads.
 * Overrides are taken as given and checked by the memory budget instead.
 */
export function planPuma(cpuShare: number, memoryMb: number, override?: { workers?: number; threads?: number }): PlannedProcess {
  const fromCpu = Math.max(1, Math.round(PUMA_WORKERS_PER_VCPU * cpuShare));
  const threads = override?.threads ?? PUMA_THREADS_PER_WORKER;
  if (override?.workers !== undefined) return puma(override.workers, threads);
  let workers = fromCpu;
  while (workers > 1 && pumaMemoryMb(workers, threads) > memoryMb) workers--;
  return puma(workers, threads);
}

export function planStreaming(vcpu: number, override?: number): PlannedProcess[] {
  const count = override ?? Math.max(1, Math.floor(vcpu / STREAMING_VCPU_PER_PROCESS));
  return Array.from({ length: count }, (_, i) => {
    const port = STREAMING_BASE_PORT + i;
    return {
      kind: "streaming" as const,
      unit: `mastodon-streaming@${port}.service`,
      workers: 1,
      threads: 1,
      dbPool: STREAMING_DB_POOL,
      connections: STREAMING_DB_POOL,
      memoryMb: STREAMING_PROCESS_MB,
      port,
    };
  });
}
