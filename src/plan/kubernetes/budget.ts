// The connection budget of a cluster, taken at the MAXIMUM replicas autoscaling may reach: the
// autoscalers add pods without a new plan, so whatever they can reach must already fit.
import type { Spec } from "../../spec/schema/stack";
import { catalogFor } from "../../catalog";
import type { LocatedProblem } from "../capacity/capacity-error";
import type { BudgetLine, ConnectionBudget, PlannedWorkload } from "../types";

const lineFor = (w: PlannedWorkload): BudgetLine => {
  const p = w.process;
  const what =
    p.kind === "web" ? `web pods (${p.workers} workers × ${p.threads} threads)` : p.kind === "streaming" ? `streaming pods (pool ${p.dbPool})` : `${w.name} pods (${(p.queues ?? []).join("+")}, ${p.threads} threads)`;
  return { what: `${what} at ${w.replicas.max} replica${w.replicas.max === 1 ? "" : "s"}`, count: w.replicas.max, each: p.connections, total: p.connections * w.replicas.max };
};

/** The managed pool in front of the managed database (the Kubernetes tier's rules require both). */
export function kubernetesBudget(spec: Spec, workloads: readonly PlannedWorkload[]): ConnectionBudget {
  const managed = spec.postgres.managed!;
  const size = catalogFor(spec.provider.cloud).managedPostgres[managed.size];
  const databaseLimit = size?.maxConnections ?? 0;
  const clients = workloads.map(lineFor);
  const clientTotal = clients.reduce((n, l) => n + l.total, 0);
  const reserve = spec.tuning.connectionReserve;
  const pool = spec.postgres.pool;
  return {
    pooled: true,
    poolMode: "transaction",
    clients,
    clientTotal,
    reserve,
    // DigitalOcean's pool exposes no client limit to set; without one in the stack file the plan
    // expects it to accept what maximum scale opens (as on the VM tier).
    clientLimit: pool.maxClientConn ?? clientTotal + reserve,
    poolSize: pool.size ?? databaseLimit - reserve,
    databaseLimit,
    databaseLimitSource: `${managed.size}: ${databaseLimit} connections (provider limit less its reserved)`,
  };
}

/** The autoscaled workloads, most connections at maximum first: where a refusal points. */
const scaledByWeight = (ws: readonly PlannedWorkload[]) => ws.filter((w) => w.replicas.max > w.replicas.min).sort((a, b) => b.process.connections * b.replicas.max - a.process.connections * a.replicas.max);

/**
 * The replicas.max changes that bring `total` within `limit`, the heaviest autoscaled workload
 * first, each no lower than its min; `per` is what one replica adds. Undefined if even every
 * autoscaled workload at its min is too much.
 */
function lowerMaxima(ws: readonly PlannedWorkload[], total: number, limit: number, per: (w: PlannedWorkload) => number): string | undefined {
  let excess = total - limit;
  const steps: string[] = [];
  for (const w of ws) {
    if (excess <= 0) break;
    const drop = Math.min(w.replicas.max - w.replicas.min, Math.ceil(excess / per(w)));
    if (drop <= 0) continue;
    excess -= drop * per(w);
    steps.push(`${w.name}'s replicas.max to ${w.replicas.max - drop}`);
  }
  return excess > 0 || steps.length === 0 ? undefined : `lower ${steps.join(" and ")}`;
}

/**
 * Problems with the budget at maximum scale, located at the value to change.
 *
 * Besides the pool's client limit and the database, Sidekiq gets a check of its own: at full
 * backlog — exactly when KEDA scales a group to its maximum — every Sidekiq thread is running
 * jobs, and a job holds a server connection for each of its transactions. Threads beyond the
 * pool's server connections then only queue inside PgBouncer (and fail after its query wait
 * timeout) instead of working: scaling past the pool exhausts it rather than adding throughput.
 * Puma and streaming threads mostly wait on clients, so they are held to the client limit only.
 */
export function kubernetesBudgetProblems(spec: Spec, b: ConnectionBudget, workloads: readonly PlannedWorkload[]): LocatedProblem[] {
  const out: LocatedProblem[] = [];
  const pool = b.poolSize ?? 0;
  const terms = b.clients.map((l) => `${l.count}×${l.each}`).join(" + ");
  const scaled = scaledByWeight(workloads);
  if (b.clientTotal + b.reserve > b.clientLimit) {
    const w = scaled[0];
    out.push({
      path: w ? [...w.at, "max"] : ["postgres", "pool", "maxClientConn"],
      message: `at maximum replicas the pods open ${b.clientTotal} client connections (${terms}) + ${b.reserve} reserve, more than the pool's max_client_conn ${b.clientLimit} (postgres.pool.maxClientConn)`,
      fix: [lowerMaxima(scaled, b.clientTotal + b.reserve, b.clientLimit, (x) => x.process.connections), `raise postgres.pool.maxClientConn to ${b.clientTotal + b.reserve}`].filter(Boolean).join(", or "),
    });
  }
  if (pool + b.reserve > b.databaseLimit) {
    out.push({ path: ["postgres", "pool", "size"], message: `pool size ${pool} + ${b.reserve} reserve for migrations exceed the database's ${b.databaseLimit} (${b.databaseLimitSource})`, fix: `set postgres.pool.size to ${Math.max(1, b.databaseLimit - b.reserve)} or use a larger postgres.managed.size` });
  }
  if (pool < 1) out.push({ path: ["postgres", "managed", "size"], message: `the database leaves no connections for the pool after the ${b.reserve} reserve`, fix: "use a larger postgres.managed.size or lower tuning.connectionReserve" });
  const sidekiq = workloads.filter((w) => w.kind === "sidekiq");
  const threads = sidekiq.reduce((n, w) => n + w.process.threads * w.replicas.max, 0);
  if (pool >= 1 && threads > pool) {
    const w = scaledByWeight(sidekiq)[0];
    const parts = sidekiq.map((x) => `${x.name} ${x.replicas.max}×${x.process.threads}`).join(" + ");
    out.push({
      path: w ? [...w.at, "max"] : ["kubernetes", "sidekiq"],
      message: `at maximum replicas Sidekiq runs ${threads} threads (${parts}), more than the transaction pool's ${pool} server connections: at full backlog every thread runs jobs that need a connection, so the replicas past the pool would only wait for one`,
      fix: [lowerMaxima(scaledByWeight(sidekiq), threads, pool, (x) => x.process.threads) ?? "lower the groups' threads or replicas", "use a larger postgres.managed.size (more connections)"].join(", or "),
    });
  }
  return out;
}
