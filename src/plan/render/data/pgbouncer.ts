// PgBouncer on the hosts the plan gives the pool: transaction pooling sized by the connection
// budget, its own HBA file so the network needs TLS while loopback does not.
import type { SizedHost } from "../../capacity/hosts";
import { PGBOUNCER_PORT } from "../../endpoints";
import type { HostFile } from "../../types";
import type { RenderContext } from "../context";
import { renderTemplate } from "../engine";
import { hostFile } from "../host-file";
import { secretRef } from "../placeholders";
import { clientsOf, dialledFromElsewhere } from "../inbound";
import { INTERNAL_TLS, LOOPBACK, PGBOUNCER, POSTGRES } from "./paths";

export function runsPgbouncer(ctx: RenderContext, host: SizedHost): boolean {
  const pool = ctx.services.pool;
  return pool.kind === "pgbouncer" && pool.hosts.includes(host.name);
}

/**
 * The budget's pool is the server connections Postgres gives all PgBouncers together, so each
 * of several PgBouncer hosts takes its share (the first ones take the remainder).
 */
export function poolShare(total: number, hosts: readonly string[], name: string): number {
  const n = Math.max(1, hosts.length);
  const i = Math.max(0, hosts.indexOf(name));
  return Math.max(1, Math.floor(total / n) + (i < total % n ? 1 : 0));
}

export function renderPgbouncer(ctx: RenderContext, host: SizedHost): HostFile[] {
  const pool = ctx.services.pool;
  const budget = ctx.budget;
  if (!budget.pooled || budget.poolSize === undefined) throw new Error(`host ${host.name} runs PgBouncer but the connection budget has no pool`);
  const tls = ctx.spec.network.encryptInternal;
  const { database, user } = ctx.spec.postgres;
  // The same route Mastodon's migrations take from this host: loopback when Postgres is here.
  const server = ctx.endpointsFor(host).dbDirect;
  const serverTls = server.host !== LOOPBACK && server.sslmode !== "disable";
  const own = { owner: PGBOUNCER.owner, group: PGBOUNCER.owner };
  const restart = [{ kind: "restart" as const, unit: PGBOUNCER.unit }];

  const ini = renderTemplate("pgbouncer/pgbouncer.ini.liquid", {
    host: host.name,
    database,
    server_host: server.host,
    server_port: server.port,
    // The private address only when another host's Mastodon dials this pool (see inbound.ts).
    listen: dialledFromElsewhere(ctx, host, "pgbouncer") ? `${LOOPBACK},${host.privateAddress}` : LOOPBACK,
    port: PGBOUNCER_PORT,
    socket_dir: POSTGRES.socketDir,
    tls,
    hba_file: PGBOUNCER.hba,
    userlist: PGBOUNCER.userlist,
    os_user: PGBOUNCER.owner,
    client_total: budget.clientTotal,
    pool_mode: pool.mode ?? budget.poolMode ?? "transaction",
    pool_size: poolShare(budget.poolSize, pool.hosts, host.name),
    reserve: budget.reserve,
    max_client_conn: budget.clientLimit,
    tls_cert: INTERNAL_TLS.cert,
    tls_key: INTERNAL_TLS.keys.postgres,
    server_tls: serverTls,
    tls_ca: server.caFile ?? INTERNAL_TLS.ca,
  });
  const hba = renderTemplate("pgbouncer/pg_hba.conf.liquid", {
    host: host.name,
    tls,
    network_type: tls ? "hostssl" : "host",
    database,
    user,
    clients: clientsOf(ctx, host, "pgbouncer"),
  });
  // PgBouncer can answer SCRAM from a plain-text password, and needs it in plain text to log in
  // to Postgres with SCRAM on the client's behalf.
  const userlist = renderTemplate("pgbouncer/userlist.txt.liquid", { user, password: secretRef("DB_PASS") });

  return [
    hostFile(PGBOUNCER.ini, ini, { mode: "0640", ...own, after: restart }),
    hostFile(PGBOUNCER.hba, hba, { mode: "0640", ...own, after: restart }),
    hostFile(PGBOUNCER.userlist, userlist, { mode: "0600", ...own, after: restart }),
  ];
}
