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
/**
 * Workers per vCPU on a dedicated web host (001: 2 vCPU → WEB_CONCURRENCY=3). Capacity grows by
 * workers, not threads: Mastodon's scaling docs say more processes beat more threads for
 * throughput (docs.joinmastodon.org/admin/scaling, #web, checked 2026-12-01).
 */
export const PUMA_WORKERS_PER_VCPU = 1.5;
/**
 * Threads per worker, the same whatever the worker count. 001's MAX_THREADS=9 (3 × its 3
 * workers) was that deployment's choice for a 2-vCPU host; read as a rule it grew with the host
 * (8 vCPU: 12 × 36, 432 connections). 5 is Mastodon's own default (config/puma.rb:
 * MAX_THREADS defaults to 5) and Puma's advice unless over half the time is I/O wait
 * (puma/puma docs/deployment.md, "use the default thread count (5 for MRI)"; both checked
 * 2026-12-01). tuning.puma.threads overrides it.
 */
export const PUMA_THREADS_PER_WORKER = 5;

/** A Sidekiq process: Rails loaded (~250 MB) plus per-thread working memory. */
export const SIDEKIQ_PROCESS_MB = 250;
export const SIDEKIQ_THREAD_MB = 10;
/** More threads than this in one process only waste database connections (001, upstream docs). */
export const SIDEKIQ_MAX_THREADS = 25;
/**
 * Threads a host's derived Sidekiq layout aims for. 001 ran 120 on both its worker hosts, the
 * 2 vCPU / 4 GB one and the 4 vCPU / 8 GB one: Sidekiq threads mostly wait on the network
 * (deliveries, fetches, Postgres, Redis), so what bounds them is memory and database
 * connections more than cores — Mastodon's scaling docs put it as "each thread requires a
 * database connection" (docs.joinmastodon.org/admin/scaling, #sidekiq-threads, checked
 * 2026-12-01). The planner then shrinks the target to fit memory and the connection limit.
 */
export const SIDEKIQ_HOST_TARGET_THREADS = 120;
/**
 * Below 2 vCPU (001's smallest worker host) the target shrinks with the CPU share: ingress is
 * CPU-heavy (001: "the Ingress queue tends to be more demanding on CPU usage").
 */
export const SIDEKIQ_TARGET_FULL_AT_VCPU = 2;
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
