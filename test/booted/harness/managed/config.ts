// The stand-in's configuration, derived from what the program asked of the provider (the
// recorded inputs of its DatabaseCluster, DatabaseConnectionPool, DatabaseFirewall and
// LoadBalancer resources): the provider would have built exactly these, so a program that asks
// for the wrong thing (a host missing from the trusted sources, a health check on the wrong port,
// PROXY protocol off) fails here as it would on DigitalOcean.

export interface Cluster {
  engine: "pg" | "valkey" | "opensearch";
  /** The private hostname the provider answered, resolved on the test network to `address`. */
  host: string;
  address: string;
  port: number;
  password: string;
  /** What its firewall admits: droplets' private addresses as /32, or the VPC when it has no rule. */
  trusted: string[];
}

export interface Pool {
  name: string;
  dbName: string;
  user: string;
  mode: string;
  size: number;
}

export interface Balancer {
  address: string;
  rules: { entryPort: number; targetPort: number }[];
  health: { port: number; path: string; protocol: string };
  proxyProtocol: boolean;
  /** Closes a connection idle this long, both ways (the program's httpIdleTimeoutSeconds; DigitalOcean's default 60). */
  idleTimeoutS: number;
  /** Private addresses of its droplets, in the order given. */
  targets: string[];
}

export interface StandInConfig {
  postgres?: Cluster & { users: Record<string, string>; databases: string[]; pool?: Pool };
  valkey?: Cluster;
  opensearch?: Cluster;
  balancer?: Balancer;
}

const line = (...parts: string[]) => `${parts.join("\n")}\n`;

/** PostgreSQL on the cluster's address and port, TLS with the provider's certificate. */
export function postgresConf(pg: Cluster): string {
  return line(
    `listen_addresses = '${pg.address},127.0.0.1'`,
    `port = ${pg.port}`,
    "ssl = on",
    "ssl_cert_file = '/etc/postgresql-harness/server.crt'",
    "ssl_key_file = '/etc/postgresql-harness/server.key'",
    "password_encryption = scram-sha-256",
    "max_connections = 200",
  );
}

/** Clients over TLS only from the VPC (the firewall narrows it), PgBouncer over loopback. */
export function postgresHba(pg: Cluster): string {
  return line(...pg.trusted.map((a) => `hostssl all all ${a} scram-sha-256`), "host all all 127.0.0.1/32 scram-sha-256");
}

/** doadmin as DigitalOcean makes it (not a superuser), the users and databases the program created. */
export function postgresRoles(pg: NonNullable<StandInConfig["postgres"]>): string {
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const id = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return line(
    `CREATE ROLE doadmin LOGIN CREATEDB CREATEROLE REPLICATION PASSWORD ${lit(pg.password)};`,
    ...Object.entries(pg.users).map(([u, p]) => `CREATE ROLE ${id(u)} LOGIN PASSWORD ${lit(p)};`),
    "CREATE DATABASE defaultdb OWNER doadmin;",
    ...pg.databases.map((d) => `CREATE DATABASE ${id(d)} OWNER doadmin;`),
  );
}

/** The connection pool: PgBouncer on the cluster's address, port 25061, TLS with the same certificate. */
export function pgbouncerIni(pg: Cluster, pool: Pool): string {
  return line(
    "[databases]",
    `${pool.name} = host=127.0.0.1 port=${pg.port} dbname=${pool.dbName} pool_size=${pool.size}`,
    "[pgbouncer]",
    `listen_addr = ${pg.address}`,
    "listen_port = 25061",
    "unix_socket_dir = /var/run/postgresql",
    `pool_mode = ${pool.mode}`,
    "max_client_conn = 2000",
    "auth_type = scram-sha-256",
    "auth_file = /etc/pgbouncer/userlist.txt",
    "admin_users = postgres",
    "client_tls_sslmode = require",
    "client_tls_cert_file = /etc/postgresql-harness/server.crt",
    "client_tls_key_file = /etc/postgresql-harness/server.key",
    "logfile = /var/log/postgresql/pgbouncer.log",
    "pidfile = /var/run/postgresql/pgbouncer.pid",
  );
}

export function pgbouncerUsers(pool: Pool, password: string): string {
  return line(`"${pool.user}" "${password}"`);
}

/** Valkey as DigitalOcean runs it: TLS only, the default user with a password, noeviction. */
export function valkeyConf(v: Cluster): string {
  return line(
    `bind ${v.address}`,
    "port 0",
    `tls-port ${v.port}`,
    "tls-cert-file /etc/valkey/harness.crt",
    "tls-key-file /etc/valkey/harness.key",
    "tls-auth-clients no",
    `requirepass ${v.password}`,
    "maxmemory-policy noeviction",
  );
}

/** The load balancer: TCP passthrough per forwarding rule, PROXY protocol v1 as DigitalOcean sends it, HTTP health checks. */
export function haproxyCfg(lb: Balancer, domain: string): string {
  const send = lb.proxyProtocol ? " send-proxy" : "";
  const check = `check port ${lb.health.port}${lb.proxyProtocol ? " check-send-proxy" : ""} inter 2s fall 3 rise 2`;
  const sections = lb.rules.flatMap((r) => [
    `frontend in_${r.entryPort}`,
    `  bind ${lb.address}:${r.entryPort}`,
    `  default_backend out_${r.entryPort}`,
    `backend out_${r.entryPort}`,
    ...(lb.health.protocol === "http" ? ["  option httpchk", `  http-check send meth GET uri ${lb.health.path} ver HTTP/1.1 hdr Host ${domain}`, "  http-check expect status 200"] : []),
    ...lb.targets.map((t, i) => `  server target${i + 1} ${t}:${r.targetPort}${send} ${check}`),
  ]);
  return line(
    "global",
    "  log stdout format raw local0",
    "defaults",
    "  mode tcp",
    "  log global",
    "  timeout connect 5s",
    // A WebSocket survives only through its own traffic (the streaming server pings every 30 s).
    `  timeout client ${lb.idleTimeoutS}s`,
    `  timeout server ${lb.idleTimeoutS}s`,
    ...sections,
  );
}

/** DigitalOcean's database firewall: only trusted droplets reach a cluster's ports. */
export function firewallNft(clusters: readonly Cluster[]): string {
  const rules = clusters.map((c) => {
    const ports = c.engine === "pg" ? `{ ${c.port}, 25061 }` : String(c.port);
    return `    ip daddr ${c.address} tcp dport ${ports} ip saddr != { ${c.trusted.join(", ")} } drop`;
  });
  // The provider's own side (the tests' psql and PUBLISH on the stand-in) comes over loopback.
  return line("table inet harness_database_firewall {", "  chain input {", "    type filter hook input priority 0; policy accept;", '    iifname "lo" accept', ...rules, "  }", "}");
}
