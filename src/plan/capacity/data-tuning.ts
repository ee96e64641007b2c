// Settings for self-hosted data services, derived from the memory the host gives each one.
import { OPENSEARCH_MIN_HEAP_MB, POSTGRES_BACKEND_MB, POSTGRES_BASE_MB, REDIS_OVERHEAD_MB } from "./model";

export interface PostgresSettings {
  maxConnections: number;
  sharedBuffersMb: number;
  effectiveCacheSizeMb: number;
  workMemMb: number;
  maintenanceWorkMemMb: number;
  walBuffersMb: number;
  maxWorkerProcesses: number;
  maxParallelWorkersPerGather: number;
  randomPageCost: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * shared_buffers half of the allotment (≈25% of a dedicated host, PostgreSQL docs' starting
 * point); work_mem what is left after buffers and backends, shared by max_connections;
 * effective_cache_size the host's page cache the allotment leaves to the kernel.
 */
export function postgresSettings(allotMb: number, hostMemMb: number, dedicated: boolean, maxConnections: number, vcpu: number, sharedBuffersOverride?: number): PostgresSettings {
  const sharedBuffersMb = sharedBuffersOverride ?? Math.max(32, Math.floor(allotMb / 2));
  const leftover = allotMb - sharedBuffersMb - POSTGRES_BASE_MB - maxConnections * POSTGRES_BACKEND_MB;
  return {
    maxConnections,
    sharedBuffersMb,
    effectiveCacheSizeMb: Math.floor(hostMemMb * (dedicated ? 0.75 : 0.4)),
    workMemMb: clamp(Math.floor(leftover / Math.max(1, maxConnections)), 1, 64),
    maintenanceWorkMemMb: clamp(Math.floor(allotMb / 8), 32, 1024),
    walBuffersMb: clamp(Math.floor(sharedBuffersMb / 32), 1, 16),
    maxWorkerProcesses: Math.max(2, vcpu),
    maxParallelWorkersPerGather: clamp(Math.floor(vcpu / 2), 0, 4),
    // Cloud block storage is SSD-backed.
    randomPageCost: 1.1,
  };
}

export function redisMaxmemoryMb(allotMb: number): number {
  return Math.max(16, allotMb - REDIS_OVERHEAD_MB);
}

/** OpenSearch heap: half the allotment, the rest is its off-heap and file cache. */
export function searchHeapMb(allotMb: number): number {
  return Math.max(OPENSEARCH_MIN_HEAP_MB, Math.floor(allotMb / 2));
}
