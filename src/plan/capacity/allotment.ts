// How one host's memory and CPU are divided between the roles it carries. Data services get a
// fixed allotment first (their settings derive from it); application processes share the rest.
import type { Role } from "../../spec/schema/common";
import type { Spec } from "../../spec/schema/stack";
import type { HostInstance } from "../topology";
import { NGINX_MB, OS_BASELINE_MB, PGBOUNCER_MB, REDIS_OVERHEAD_MB } from "./model";

export interface Allotment {
  headroomMb: number;
  fixed: { what: string; mb: number }[];
  postgresMb: number;
  redisMb: number;
  searchMb: number;
  /** Memory left for Puma, Sidekiq and streaming. */
  appMb: number;
  /** vCPU available to each CPU-heavy role on this host. */
  cpuShare: number;
}

const APP_ROLES: readonly Role[] = ["web", "sidekiq", "streaming"];
const HEAVY_ROLES: readonly Role[] = ["web", "sidekiq", "postgres", "search"];
/** Relative claim of each data service on the data share of a host. */
const DATA_WEIGHT = { postgres: 2, search: 2, redis: 1 } as const;
/** A host that also runs the application keeps this share of its usable memory for data services. */
const DATA_SHARE_WITH_APP = 0.4;

export function runsPgbouncer(spec: Spec, host: HostInstance, pgbouncerHosts: readonly string[]): boolean {
  return spec.postgres.pool.enabled && !spec.postgres.managed && pgbouncerHosts.includes(host.name);
}

export function allot(spec: Spec, host: HostInstance, pgbouncerHere: boolean): Allotment {
  const mem = host.size.memoryMb;
  const roles = host.roles;
  const headroomMb = Math.round((mem * spec.tuning.memoryHeadroomPercent) / 100);
  const fixed = [{ what: "operating system", mb: OS_BASELINE_MB }];
  if (roles.includes("proxy")) fixed.push({ what: "nginx", mb: NGINX_MB });
  if (pgbouncerHere) fixed.push({ what: "pgbouncer", mb: PGBOUNCER_MB });
  const usable = Math.max(0, mem - headroomMb - fixed.reduce((n, f) => n + f.mb, 0));

  const data = (["postgres", "search", "redis"] as const).filter((r) => roles.includes(r));
  const hasApp = roles.some((r) => APP_ROLES.includes(r));
  const dataMb = data.length === 0 ? 0 : Math.floor(usable * (hasApp ? DATA_SHARE_WITH_APP : 1));
  const weights = data.reduce((n, r) => n + DATA_WEIGHT[r], 0);
  const share = (r: (typeof data)[number]) => (data.includes(r) ? Math.floor((dataMb * DATA_WEIGHT[r]) / weights) : 0);

  let redisMb = share("redis");
  const redisOverride = spec.redis.selfHosted?.maxmemoryMb;
  if (roles.includes("redis") && redisOverride !== undefined) redisMb = redisOverride + REDIS_OVERHEAD_MB;
  let searchMb = share("search");
  const heapOverride = spec.search.selfHosted?.heapMb;
  if (roles.includes("search") && heapOverride !== undefined) searchMb = heapOverride * 2;
  const postgresMb = share("postgres");

  const heavy = roles.filter((r) => HEAVY_ROLES.includes(r)).length;
  return {
    headroomMb,
    fixed,
    postgresMb,
    redisMb,
    searchMb,
    appMb: Math.max(0, usable - postgresMb - redisMb - searchMb),
    cpuShare: host.size.vcpu / Math.max(1, heavy),
  };
}
