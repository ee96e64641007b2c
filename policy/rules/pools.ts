// A managed connection pool runs in transaction mode: Mastodon's connection budget (Puma,
// Sidekiq and streaming clients sharing the pool's few server connections) holds only when a
// server connection returns to the pool after each transaction, as Mastodon's docs prescribe
// for PgBouncer (with PREPARED_STATEMENTS=false).
import * as digitalocean from "@pulumi/digitalocean";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

const POOL_POLICY = "pools-in-transaction-mode";

function poolMessage(mode: string): string {
  return `the pool runs in ${mode} mode; Mastodon's must run in transaction mode (postgres.pool.mode: transaction): statement mode splits its transactions, session mode gives every client a server connection of its own, which the connection budget does not provide`;
}

export const poolsInTransactionMode: ResourceValidationPolicy = {
  name: POOL_POLICY,
  description: "A DigitalOcean connection pool runs in transaction mode.",
  validateResource: validateResourceOfType(digitalocean.DatabaseConnectionPool, (pool, _args, report) => {
    if (pool.mode !== "transaction") report(poolMessage(pool.mode));
  }),
};
