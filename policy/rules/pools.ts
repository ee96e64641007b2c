// A managed connection pool runs in transaction mode: Mastodon's connection budget (Puma,
// Sidekiq and streaming clients sharing the pool's few server connections) holds only when a
// server connection returns to the pool after each transaction, as Mastodon's docs prescribe
// for PgBouncer (with PREPARED_STATEMENTS=false). Session mode only when the stack file asks for
// it: the planner then refuses it unless the pool holds a server connection for every client.
import * as digitalocean from "@pulumi/digitalocean";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import type { PackContext } from "../context";

const POOL_POLICY = "pools-in-transaction-mode";

function poolMessage(mode: string): string {
  return `the pool runs in ${mode} mode; Mastodon's must run in transaction mode (postgres.pool.mode: transaction): statement mode splits its transactions, session mode gives every client a server connection of its own, which the connection budget does not provide`;
}

export function poolsInTransactionMode(ctx: PackContext): ResourceValidationPolicy {
  return {
    name: POOL_POLICY,
    description: "A DigitalOcean connection pool runs in transaction mode (session mode only when the stack file sets postgres.pool.mode: session).",
    validateResource: validateResourceOfType(digitalocean.DatabaseConnectionPool, (pool, _args, report) => {
      if (pool.mode === "transaction" || (pool.mode === "session" && ctx.sessionPool)) return;
      report(poolMessage(pool.mode));
    }),
  };
}
