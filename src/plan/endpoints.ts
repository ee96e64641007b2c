// Where each host reaches the data services. Managed services are reached on the provider's
// hostnames (outputs) over TLS; self-hosted ones on private addresses, TLS when the stack
// encrypts internal traffic, plain on loopback.
import type { Spec } from "../spec/schema/stack";
import type { SizedHost } from "./capacity/hosts";
import { PATHS, type DbEndpoint, type Endpoints } from "./render/context";
import { outputRef, secretRef } from "./render/placeholders";

/** SSH: `pulumi up` and admins, from network.adminCidrs only. */
export const SSH_PORT = 22;
/** The web, the only ports the Internet may reach (80 for ACME and the redirect). */
export const WEB_PORTS: readonly number[] = [80, 443];
// DigitalOcean managed databases: 25060 direct, 25061 through the pool / for Valkey (DO docs, checked 2026-11-24).
export const DO_DIRECT_PORT = 25060;
export const DO_POOL_PORT = 25061;
export const PGBOUNCER_PORT = 6432;
export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
export const REDIS_TLS_PORT = 6380;
export const SEARCH_PORT = 9200;
export const POOL_NAME = "mastodon";
/** DigitalOcean's managed OpenSearch has one user, its admin. */
export const DO_SEARCH_USER = "doadmin";

export function makeEndpoints(spec: Spec, hosts: readonly SizedHost[], pgbouncers: readonly string[]): (host: SizedHost) => Endpoints {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const tls = spec.network.encryptInternal;
  const reach = (from: SizedHost, to: string) => (from.name === to ? "127.0.0.1" : byName.get(to)?.privateAddress ?? to);
  const pg = spec.postgres;
  const appHosts = hosts.filter((h) => h.processes.length > 0);

  return (host) => {
    let db: DbEndpoint;
    let dbDirect: DbEndpoint;
    if (pg.managed) {
      dbDirect = { host: outputRef("postgres.host"), port: DO_DIRECT_PORT, name: pg.database, user: pg.user, sslmode: "verify-full", caFile: PATHS.postgresCa };
      db = pg.pool.enabled ? { ...dbDirect, port: DO_POOL_PORT, name: POOL_NAME } : dbDirect;
    } else {
      const pgHost = pg.selfHosted!.host;
      const direct = reach(host, pgHost);
      const local = direct === "127.0.0.1";
      dbDirect = { host: direct, port: POSTGRES_PORT, name: pg.database, user: pg.user, sslmode: tls && !local ? "verify-full" : "disable", ...(tls && !local ? { caFile: PATHS.internalCa } : {}) };
      if (pg.pool.enabled && pgbouncers.length > 0) {
        // Spread application hosts over the PgBouncer hosts in a fixed order.
        const slot = Math.max(0, appHosts.findIndex((h) => h.name === host.name));
        const bouncer = pgbouncers[slot % pgbouncers.length]!;
        const addr = reach(host, bouncer);
        const bLocal = addr === "127.0.0.1";
        db = { host: addr, port: PGBOUNCER_PORT, name: pg.database, user: pg.user, sslmode: tls && !bLocal ? "verify-full" : "disable", ...(tls && !bLocal ? { caFile: PATHS.internalCa } : {}) };
      } else db = dbDirect;
    }

    let redis: Endpoints["redis"];
    if (spec.redis.managed) {
      redis = { url: `rediss://default:${secretRef("REDIS_PASSWORD")}@${outputRef("redis.host")}:${DO_POOL_PORT}`, tls: true, at: { host: outputRef("redis.host"), port: DO_POOL_PORT } };
    } else {
      const addr = reach(host, spec.redis.selfHosted!.host);
      const remoteTls = tls && addr !== "127.0.0.1";
      redis = remoteTls
        ? { url: `rediss://:${secretRef("REDIS_PASSWORD")}@${addr}:${REDIS_TLS_PORT}`, tls: true, caFile: PATHS.internalCa, at: { host: addr, port: REDIS_TLS_PORT } }
        : { url: `redis://:${secretRef("REDIS_PASSWORD")}@${addr}:${REDIS_PORT}`, tls: false, at: { host: addr, port: REDIS_PORT } };
    }

    let search: Endpoints["search"];
    if (spec.search.managed) {
      search = { url: `https://${outputRef("search.host")}:${DO_DIRECT_PORT}`, user: DO_SEARCH_USER, passwordSecret: "ES_PASS", at: { host: outputRef("search.host"), port: DO_DIRECT_PORT } };
    } else if (spec.search.selfHosted) {
      const addr = reach(host, spec.search.selfHosted.host);
      search = { url: `http://${addr}:${SEARCH_PORT}`, at: { host: addr, port: SEARCH_PORT } };
    }
    return { db, dbDirect, redis, ...(search ? { search } : {}) };
  };
}
