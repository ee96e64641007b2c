// Who dials what inside the stack, derived from what every host is configured to dial (its
// endpoints, nginx's upstreams, PgBouncer's server, the ACME peer lookups), so the listeners
// and the host's input policy can never disagree with the configs. A service port nobody dials
// from another host listens on loopback only and refuses the network; one that is dialled
// admits exactly those hosts' private addresses.
import type { SizedHost } from "../capacity/hosts";
import { PGBOUNCER_PORT, POSTGRES_PORT, REDIS_PORT, REDIS_TLS_PORT, SEARCH_PORT } from "../endpoints";
import type { Address, RenderContext } from "./context";
import { runsPgbouncer } from "./data/pgbouncer";
import { runsPostgres } from "./data/postgres";
import { runsRedis } from "./data/redis";
import { ACME_PEER_PORT, acmePeers } from "./nginx/acme-peers";
import { upstreamsFor } from "./nginx/upstreams";
import { maintenanceHost } from "./systemd/common";
import { acmeMode } from "./acme";

export type Service = "postgres" | "pgbouncer" | "redis" | "search" | "puma" | "streaming" | "acme-peers";

export interface Inbound {
  service: Service;
  port: number;
  /** Private addresses of the other hosts that dial this port (possibly {{output:…}} markers), sorted. */
  from: string[];
}

function hostPort(hostPort: string): Address {
  const i = hostPort.lastIndexOf(":");
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

/** Every address:port this host opens a connection to, for our services. */
export function dialsOf(ctx: RenderContext, host: SizedHost): Address[] {
  const out: Address[] = [];
  const e = host.processes.length > 0 || runsPgbouncer(ctx, host) ? ctx.endpointsFor(host) : undefined;
  // Straight to Postgres: PgBouncer's server, and the maintenance host's migrations, cleanup
  // jobs and backups (env.maintenance, the backup script). The application goes through db.
  if (e && (runsPgbouncer(ctx, host) || maintenanceHost(ctx)?.name === host.name)) out.push({ host: e.dbDirect.host, port: e.dbDirect.port });
  if (e && host.processes.length > 0) {
    out.push({ host: e.db.host, port: e.db.port }, e.redis.at);
    if (e.search) out.push(e.search.at);
  }
  if (host.roles.includes("proxy")) {
    const u = upstreamsFor(ctx.hosts, host);
    out.push(...[...u.backend, ...u.streaming].map((s) => hostPort(s.address)));
    if (acmeMode(ctx.spec).kind === "http-01") out.push(...acmePeers(ctx.hosts, host).map(hostPort));
  }
  return out;
}

/** The service ports this host listens on. */
function listenersOf(ctx: RenderContext, host: SizedHost): { service: Service; port: number }[] {
  const out: { service: Service; port: number }[] = [];
  if (runsPostgres(ctx, host)) out.push({ service: "postgres", port: POSTGRES_PORT });
  if (runsPgbouncer(ctx, host)) out.push({ service: "pgbouncer", port: PGBOUNCER_PORT });
  if (runsRedis(ctx, host)) {
    // Redis keeps its plain port on the same addresses when TLS is on: policed too.
    out.push({ service: "redis", port: REDIS_PORT });
    if (ctx.spec.network.encryptInternal) out.push({ service: "redis", port: REDIS_TLS_PORT });
  }
  const search = ctx.services.search;
  if (search.kind === "selfHosted" && search.host === host.name) out.push({ service: "search", port: SEARCH_PORT });
  for (const p of host.processes) {
    if ((p.kind === "web" || p.kind === "streaming") && p.port !== undefined) out.push({ service: p.kind === "web" ? "puma" : "streaming", port: p.port });
  }
  if (host.roles.includes("proxy") && acmeMode(ctx.spec).kind === "http-01" && acmePeers(ctx.hosts, host).length > 0) out.push({ service: "acme-peers", port: ACME_PEER_PORT });
  return out;
}

/**
 * Every dial in the stack between two different hosts, as address → port → dialling addresses:
 * computed once per rendering (each host's renderers ask several times, for every host).
 */
const dialMaps = new WeakMap<RenderContext, Map<string, Map<number, Set<string>>>>();
function dialMap(ctx: RenderContext): Map<string, Map<number, Set<string>>> {
  let map = dialMaps.get(ctx);
  if (map) return map;
  map = new Map();
  for (const from of ctx.hosts) {
    for (const d of dialsOf(ctx, from)) {
      if (d.host === from.privateAddress) continue;
      const ports = map.get(d.host) ?? new Map<number, Set<string>>();
      ports.set(d.port, (ports.get(d.port) ?? new Set()).add(from.privateAddress));
      map.set(d.host, ports);
    }
  }
  dialMaps.set(ctx, map);
  return map;
}

/** This host's service ports and, for each, who else dials it. */
export function inboundFor(ctx: RenderContext, host: SizedHost): Inbound[] {
  const dialled = dialMap(ctx).get(host.privateAddress);
  return listenersOf(ctx, host).map((l) => ({ ...l, from: [...(dialled?.get(l.port) ?? [])].sort() }));
}

/** The other hosts' addresses that dial this service here (its HBA entries). */
export function clientsOf(ctx: RenderContext, host: SizedHost, service: Service): string[] {
  return [...new Set(inboundFor(ctx, host).flatMap((i) => (i.service === service ? i.from : [])))].sort();
}

/** Whether another host dials this service here: if not, it listens on loopback only. */
export function dialledFromElsewhere(ctx: RenderContext, host: SizedHost, service: Service): boolean {
  return clientsOf(ctx, host, service).length > 0;
}
