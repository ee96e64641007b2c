// The connection budget: every Puma thread, Sidekiq thread and streaming pool may hold a
// database connection at once. With a pool they must fit its client limit and the pool's
// server side the database; without one they must fit the database directly.
import type { Spec } from "../../spec/schema/stack";
import { catalogFor } from "../../catalog";
import type { BudgetLine, ConnectionBudget, PlannedProcess } from "../types";
import { POSTGRES_SUPERUSER_RESERVED } from "./model";

interface HostProcesses {
  name: string;
  processes: readonly PlannedProcess[];
}

/** Self-hosted default pool: upstream's starting default_pool_size of 20, or 10 per vCPU of the database host. */
const POOL_PER_VCPU = 10;
const MIN_POOL = 20;

export function clientLines(hosts: readonly HostProcesses[]): BudgetLine[] {
  const lines = new Map<string, BudgetLine>();
  for (const h of hosts) {
    for (const p of h.processes) {
      const key =
        p.kind === "sidekiq" ? `sidekiq ${(p.queues ?? []).join("+")} (${p.threads} threads)` : p.kind === "web" ? `puma (${p.workers} workers × ${p.threads} threads)` : `streaming (pool ${p.dbPool})`;
      const line = lines.get(key) ?? { what: key, count: 0, each: p.connections, total: 0 };
      line.count += 1;
      line.total += p.connections;
      lines.set(key, line);
    }
  }
  return [...lines.values()];
}

export interface BudgetInput {
  spec: Spec;
  hosts: readonly HostProcesses[];
  /** vCPU of the self-hosted Postgres host (0 for managed). */
  postgresVcpu: number;
}

export function connectionBudget({ spec, hosts, postgresVcpu }: BudgetInput): ConnectionBudget {
  const clients = clientLines(hosts);
  const clientTotal = clients.reduce((n, l) => n + l.total, 0);
  const reserve = spec.tuning.connectionReserve;
  const pool = spec.postgres.pool;
  const managed = spec.postgres.managed;

  let databaseLimit: number;
  let databaseLimitSource: string;
  if (managed) {
    const size = catalogFor(spec.provider.cloud).managedPostgres[managed.size];
    databaseLimit = size?.maxConnections ?? 0;
    databaseLimitSource = `${managed.size}: ${databaseLimit} connections (provider limit less its reserved)`;
  } else {
    const override = spec.tuning.postgres?.maxConnections;
    const wanted = pool.enabled ? (pool.size ?? Math.max(MIN_POOL, POOL_PER_VCPU * postgresVcpu)) + reserve : clientTotal + reserve;
    const maxConnections = override ?? wanted + POSTGRES_SUPERUSER_RESERVED;
    databaseLimit = maxConnections - POSTGRES_SUPERUSER_RESERVED;
    databaseLimitSource = `max_connections ${maxConnections}${override ? " (tuning.postgres.maxConnections)" : ""} less ${POSTGRES_SUPERUSER_RESERVED} superuser_reserved_connections`;
  }

  if (!pool.enabled) {
    return { pooled: false, clients, clientTotal, reserve, clientLimit: databaseLimit, databaseLimit, databaseLimitSource };
  }
  // Migrations and consoles go straight to Postgres, so the pool leaves the reserve free.
  const poolSize = pool.size ?? (managed ? databaseLimit - reserve : Math.min(databaseLimit - reserve, Math.max(MIN_POOL, POOL_PER_VCPU * postgresVcpu)));
  // Self-hosted PgBouncer gets max_client_conn = planned clients + reserve. DigitalOcean's
  // managed pool exposes no client limit to set (its docs, checked 2026-11-24, only bound the
  // backend side), so there the same number is what the plan expects the pool to accept.
  const clientLimit = pool.maxClientConn ?? clientTotal + reserve;
  return {
    pooled: true,
    poolMode: pool.mode === "session" ? "session" : "transaction",
    clients,
    clientTotal,
    reserve,
    clientLimit,
    poolSize,
    databaseLimit,
    databaseLimitSource,
  };
}

/** Problems with the budget, each with the numbers and a fix. */
export function budgetProblems(b: ConnectionBudget, spec: Spec): string[] {
  const out: string[] = [];
  const terms = b.clients.map((l) => `${l.what} ${l.total}`).join(" + ");
  if (b.pooled) {
    if (b.clientTotal + b.reserve > b.clientLimit) {
      out.push(`${b.clientTotal} client connections (${terms}) + ${b.reserve} reserve exceed the pool's max_client_conn ${b.clientLimit}; fix: raise postgres.pool.maxClientConn to ${b.clientTotal + b.reserve} or lower threads`);
    }
    if ((b.poolSize ?? 0) + b.reserve > b.databaseLimit) {
      out.push(`pool size ${b.poolSize} + ${b.reserve} reserve for migrations exceed the database's ${b.databaseLimit} (${b.databaseLimitSource}); fix: set postgres.pool.size to ${Math.max(1, b.databaseLimit - b.reserve)} or use a larger database`);
    }
    if ((b.poolSize ?? 0) < 1) out.push(`the database leaves no connections for the pool after the ${b.reserve} reserve; fix: use a larger database size or lower tuning.connectionReserve`);
    if (b.poolMode === "session" && b.clientTotal > (b.poolSize ?? 0)) {
      out.push(`session pooling gives each of the ${b.clientTotal} clients a server connection but the pool has ${b.poolSize}; fix: use postgres.pool.mode: transaction`);
    }
  } else if (b.clientTotal + b.reserve > b.databaseLimit) {
    const bigger = spec.postgres.managed ? "a larger postgres.managed.size" : `tuning.postgres.maxConnections ${b.clientTotal + b.reserve + POSTGRES_SUPERUSER_RESERVED}`;
    out.push(`${b.clientTotal} connections (${terms}) + ${b.reserve} reserve exceed the database's ${b.databaseLimit} (${b.databaseLimitSource}); fix: enable postgres.pool (PgBouncer, transaction mode) or use ${bigger}`);
  }
  return out;
}

/**
 * The client connections the stack may plan when that number is fixed before sizing: a pool
 * with an explicit postgres.pool.maxClientConn, or no pool in front of a database whose limit
 * is given (managed, or tuning.postgres.maxConnections). Otherwise the limit follows the plan
 * (max_client_conn and max_connections are rendered from the planned clients) and is undefined.
 */
export function fixedClientLimit(spec: Spec, postgresVcpu: number): { clients: number; source: string; fix: string } | undefined {
  const reserve = spec.tuning.connectionReserve;
  const pool = spec.postgres.pool;
  if (pool.enabled) {
    if (pool.maxClientConn === undefined) return undefined;
    return { clients: pool.maxClientConn - reserve, source: `postgres.pool.maxClientConn ${pool.maxClientConn} less the ${reserve} reserve`, fix: "raise postgres.pool.maxClientConn" };
  }
  if (!spec.postgres.managed && spec.tuning.postgres?.maxConnections === undefined) return undefined;
  const b = connectionBudget({ spec, hosts: [], postgresVcpu });
  const bigger = spec.postgres.managed ? "a larger postgres.managed.size" : "a higher tuning.postgres.maxConnections";
  return { clients: b.databaseLimit - reserve, source: `the database's ${b.databaseLimit} (${b.databaseLimitSource}) less the ${reserve} reserve`, fix: `enable postgres.pool (PgBouncer, transaction mode) or use ${bigger}` };
}
