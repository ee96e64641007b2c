// What the plan says of the data services, pools, media and balancer: the same for either tier.
import type { Spec } from "../spec/schema/stack";
import type { connectionBudget } from "./capacity/connections";
import { redisMaxmemoryMb, searchHeapMb, type PostgresSettings } from "./capacity/data-tuning";
import type { SizedHost } from "./capacity/hosts";
import type { ServicePlan } from "./types";

export function servicePlan(spec: Spec, hosts: readonly SizedHost[], pgbouncers: string[], pg: PostgresSettings | undefined, maxConnections: number, budget: ReturnType<typeof connectionBudget>): ServicePlan {
  const s = spec;
  const pgHost = hosts.find((h) => h.roles.includes("postgres"));
  const redisHost = hosts.find((h) => h.roles.includes("redis"));
  const searchHost = hosts.find((h) => h.roles.includes("search"));
  return {
    postgres: s.postgres.managed
      ? { kind: "managed", size: s.postgres.managed.size, nodes: s.postgres.managed.nodes, version: s.postgres.managed.version, maxConnections }
      : { kind: "selfHosted", host: pgHost!.name, version: s.postgres.selfHosted!.version, maxConnections: pg!.maxConnections, sharedBuffersMb: pg!.sharedBuffersMb },
    pool: budget.pooled
      ? { kind: s.postgres.managed ? "managed" : "pgbouncer", mode: budget.poolMode!, hosts: pgbouncers, size: budget.poolSize!, maxClientConn: budget.clientLimit }
      : { kind: "none", hosts: [], size: 0, maxClientConn: 0 },
    redis: s.redis.managed ? { kind: "managed", size: s.redis.managed.size } : { kind: "selfHosted", host: redisHost!.name, maxmemoryMb: redisMaxmemoryMb(redisHost!.allotment.redisMb) },
    search: s.search.managed
      ? { kind: "managed", size: s.search.managed.size }
      : s.search.selfHosted
        ? { kind: "selfHosted", host: searchHost!.name, heapMb: s.search.selfHosted.heapMb ?? searchHeapMb(searchHost!.allotment.searchMb) }
        : { kind: "off" },
    media: { kind: s.media.spaces ? "spaces" : s.media.r2 ? "r2" : s.media.s3 ? "s3" : "local" },
    loadBalancer: { ...s.loadBalancer },
  };
}
