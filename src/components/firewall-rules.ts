// Which ports each host opens, and to whom — decided once from the plan, rendered by the
// provider firewalls. Pure: no Pulumi. The rules are per role, so a firewall per role can carry
// them, and every internal port is open only to the private network and only when another host
// actually dials it (a single box opens nothing but SSH and the web).
import type { Role } from "../spec/schema/common";
import type { Spec } from "../spec/schema/stack";
import type { Plan } from "../plan/types";
import { acmeMode } from "../plan/render/acme";
import { ACME_PEER_PORT } from "../plan/render/nginx/acme-peers";
import { DO_DIRECT_PORT, DO_POOL_PORT, PGBOUNCER_PORT, POSTGRES_PORT, REDIS_PORT, REDIS_TLS_PORT, SEARCH_PORT, SSH_PORT, WEB_PORTS } from "../plan/endpoints";

/** Who may connect: the admin CIDRs, the private network, the load balancer, or anyone. */
export type Source = "admin" | "private" | "loadBalancer" | "world";

export interface PortRule {
  protocol: "tcp" | "udp" | "icmp";
  /** "22", "4000-4003"; absent for icmp. */
  ports?: string;
  source: Source;
  why: string;
}

export interface FirewallGroup {
  /** "base" for every host, otherwise the role the rules serve. */
  group: "base" | Role;
  hosts: string[];
  rules: PortRule[];
}

/** "Anyone", in both address families. */
export const WORLD = ["0.0.0.0/0", "::/0"];

/** Ports no rule may ever open to the world. */
export const DATA_PORTS = [SSH_PORT, POSTGRES_PORT, PGBOUNCER_PORT, REDIS_PORT, REDIS_TLS_PORT, SEARCH_PORT, DO_DIRECT_PORT, DO_POOL_PORT] as const;

function span(ports: number[]): string | undefined {
  if (ports.length === 0) return undefined;
  const lo = Math.min(...ports);
  const hi = Math.max(...ports);
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

function internal(ports: string | undefined, why: string): PortRule[] {
  return ports ? [{ protocol: "tcp", ports, source: "private", why }] : [];
}

export function firewallGroups(spec: Spec, plan: Plan): FirewallGroup[] {
  const many = plan.hosts.length > 1;
  const withRole = (role: Role) => plan.hosts.filter((h) => h.roles.includes(role)).map((h) => h.name);
  const processPorts = (kind: "web" | "streaming") =>
    span(plan.hosts.flatMap((h) => h.processes.filter((p) => p.kind === kind && p.port !== undefined).map((p) => p.port!)));
  const fronted = spec.loadBalancer.enabled;

  const groups: FirewallGroup[] = [
    {
      group: "base",
      hosts: plan.hosts.map((h) => h.name),
      rules: [
        { protocol: "tcp", ports: String(SSH_PORT), source: "admin", why: "SSH for pulumi up and admins, from network.adminCidrs only" },
        // Path MTU discovery and ping; ICMP carries no service.
        { protocol: "icmp", source: "world", why: "ICMP (path MTU discovery, ping)" },
      ],
    },
    {
      group: "proxy",
      hosts: withRole("proxy"),
      rules: [
        ...WEB_PORTS.map((port) => ({
          protocol: "tcp" as const,
          ports: String(port),
          source: fronted ? ("loadBalancer" as const) : ("world" as const),
          why: fronted ? "HTTP(S) from the load balancer only" : "HTTP(S) from users (80 for ACME and the redirect)",
        })),
        // Every proxy runs certbot; a validation that lands on another proxy is looked up here.
        ...(withRole("proxy").length > 1 && acmeMode(spec).kind === "http-01" ? internal(String(ACME_PEER_PORT), "ACME challenge lookups between the proxies") : []),
      ],
    },
  ];
  if (many) {
    const redisPort = spec.network.encryptInternal ? REDIS_TLS_PORT : REDIS_PORT;
    const internalGroups: [Role, PortRule[]][] = [
      ["web", internal(processPorts("web"), "Puma, from the proxies")],
      ["streaming", internal(processPorts("streaming"), "streaming, from the proxies")],
      ["postgres", internal(String(POSTGRES_PORT), "Postgres, from PgBouncer and migrations")],
      ["pgbouncer", internal(String(PGBOUNCER_PORT), "PgBouncer, from the application hosts")],
      ["redis", internal(String(redisPort), spec.network.encryptInternal ? "Redis over TLS only" : "Redis")],
      ["search", internal(String(SEARCH_PORT), "search, from the application hosts")],
    ];
    for (const [role, rules] of internalGroups) {
      const hosts = withRole(role);
      if (hosts.length > 0 && rules.length > 0) groups.push({ group: role, hosts, rules });
    }
  }
  return groups.filter((g) => g.hosts.length > 0);
}

/** Hosts that hold database connections: the trusted sources of a managed database. */
export function applicationHosts(plan: Plan): string[] {
  return plan.hosts.filter((h) => h.processes.length > 0).map((h) => h.name);
}
