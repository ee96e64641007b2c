// Where Debian's packages keep the data tier's files and units, and where the internal TLS
// material lives. One place, so the renderers, the converge step and the real-tool tests agree.
import { PATHS } from "../context";

/**
 * Internal TLS (Postgres, PgBouncer, Redis on the private network), written by render/tls.ts
 * from resource outputs:
 *  - cert: the host's certificate, with its private address as an IP SAN (clients use
 *    verify-full), mode 0644;
 *  - keys: one 0600 copy per daemon user (Postgres and PgBouncer run as postgres, Redis as
 *    redis), so no key file is ever group-readable;
 *  - ca: the CA every internal client verifies against (PATHS.internalCa).
 */
export const INTERNAL_TLS = {
  cert: `${PATHS.tlsDir}/internal.crt`,
  keys: { postgres: `${PATHS.tlsDir}/internal-postgres.key`, redis: `${PATHS.tlsDir}/internal-redis.key` },
  ca: PATHS.internalCa,
} as const;

export const LOOPBACK = "127.0.0.1";

export const POSTGRES = {
  confDir: (version: string) => `/etc/postgresql/${version}/main`,
  unit: (version: string) => `postgresql@${version}-main.service`,
  /** Debian's unix socket directory, shared by Postgres and PgBouncer. */
  socketDir: "/var/run/postgresql",
  owner: "postgres",
} as const;

export const PGBOUNCER = {
  ini: "/etc/pgbouncer/pgbouncer.ini",
  hba: "/etc/pgbouncer/pg_hba.conf",
  userlist: "/etc/pgbouncer/userlist.txt",
  unit: "pgbouncer.service",
  /** Debian's unit runs PgBouncer as postgres. */
  owner: "postgres",
} as const;

export const REDIS = {
  conf: "/etc/redis/redis.conf",
  dataDir: "/var/lib/redis",
  /** Debian's unit: RuntimeDirectory=redis, PIDFile=/run/redis/redis-server.pid. */
  pidFile: "/run/redis/redis-server.pid",
  unit: "redis-server.service",
  owner: "redis",
} as const;
