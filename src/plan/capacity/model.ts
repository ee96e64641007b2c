// The numbers the capacity planner sizes with. Each says where it comes from; change them
// here and every host's sizing, budget and rendered setting follows.

/** MB Debian, sshd, journald, cloud tooling and the page cache's floor take on any host. */
export const OS_BASELINE_MB = 256;

/**
 * Puma: ~300 MB per worker with jemalloc and MALLOC_ARENA_MAX=2 (DESIGN.md, reference
 * deployment 001), plus a few MB per thread's stack and buffers, plus the cluster master.
 */
export const PUMA_MASTER_MB = 150;
export const PUMA_WORKER_MB = 300;
export const PUMA_THREAD_MB = 8;
/** Workers per vCPU on a dedicated web host (001: 2 vCPU → WEB_CONCURRENCY=3). */
export const PUMA_WORKERS_PER_VCPU = 1.5;
/** Threads per worker (001: MAX_THREADS = WEB_CONCURRENCY × 3 = 9). */
export const PUMA_THREADS_PER_WORKER_FACTOR = 3;

/** A Sidekiq process: Rails loaded (~250 MB) plus per-thread working memory. */
export const SIDEKIQ_PROCESS_MB = 250;
export const SIDEKIQ_THREAD_MB = 10;
/** More threads than this in one process only waste database connections (001, upstream docs). */
export const SIDEKIQ_MAX_THREADS = 25;
/** 001 runs 120 threads on 4 vCPU hosts: 30 per vCPU. */
export const SIDEKIQ_THREADS_PER_VCPU = 30;
export const SIDEKIQ_MIN_THREADS = 5;
/** 001: mailers 5 threads, scheduler 15, the rest 25 per queue with ingress taking the remainder. */
export const SIDEKIQ_MAILERS_THREADS = 5;
export const SIDEKIQ_SCHEDULER_THREADS = 15;
/** Below this many threads per host, one process per queue costs more memory than it gains. */
export const SIDEKIQ_PER_QUEUE_MIN_THREADS = 60;

/** One Node process handles thousands of websockets; ~1,000 concurrent for 50k accounts (DESIGN.md). */
export const STREAMING_PROCESS_MB = 160;
export const STREAMING_VCPU_PER_PROCESS = 4;
/** Upstream streaming's pg pool defaults to 10 (streaming/database.js). */
export const STREAMING_DB_POOL = 10;
export const STREAMING_BASE_PORT = 4000;
export const PUMA_PORT = 3000;

export const NGINX_MB = 64;
export const PGBOUNCER_MB = 32;
/** Postgres per-connection overhead besides work_mem. */
export const POSTGRES_BACKEND_MB = 4;
export const POSTGRES_BASE_MB = 64;
/** superuser_reserved_connections left at Postgres's default. */
export const POSTGRES_SUPERUSER_RESERVED = 3;
export const REDIS_OVERHEAD_MB = 32;
/** OpenSearch uses about as much off-heap as heap (docs: heap ≤ 50% of memory). */
export const OPENSEARCH_OFFHEAP_FACTOR = 1;
export const OPENSEARCH_MIN_HEAP_MB = 512;
