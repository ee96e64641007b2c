// Which hosts run a Mastodon release, in what order they switch, what each restarts and which
// health endpoints prove it came back. Pure: derived from the plan, tested without Pulumi.
import type { Plan, PlannedHost } from "../../plan/types";

export interface HealthCheck {
  /** "loopback" when Puma/streaming listen there (a proxy on the host), else the private address. */
  via: "loopback" | "private";
  port: number;
  path: "/health" | "/api/v1/streaming/health";
}

export interface RolloutHost {
  name: string;
  /** In switch order: Puma (reload, in place), streaming instances, Sidekiq processes. */
  units: string[];
  checks: HealthCheck[];
}

export interface Rollout {
  /** The app hosts, in the plan's host order. */
  hosts: RolloutHost[];
  /** The order they restart in: each batch waits for the one before it (stack file: rollout.hostsAtOnce). */
  batches: string[][];
  /** Runs migrations: the maintenance host, whose env.maintenance points at Postgres directly. */
  migrationHost: string;
}

function checksFor(host: PlannedHost): HealthCheck[] {
  const via = host.roles.includes("proxy") ? "loopback" : "private";
  return host.processes.flatMap((p): HealthCheck[] => {
    if (p.kind === "web" && p.port !== undefined) return [{ via, port: p.port, path: "/health" }];
    if (p.kind === "streaming" && p.port !== undefined) return [{ via, port: p.port, path: "/api/v1/streaming/health" }];
    return [];
  });
}

export function rolloutOf(plan: Plan, hostsAtOnce = 1): Rollout {
  const app = plan.hosts.filter((h) => h.processes.length > 0);
  const migrationHost = app.find((h) => h.processes.some((p) => p.kind === "sidekiq"))?.name;
  if (!migrationHost) throw new Error("no host runs Sidekiq, so none holds the maintenance environment for migrations");
  const order = { web: 0, streaming: 1, sidekiq: 2 } as const;
  const names = app.map((h) => h.name);
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += hostsAtOnce) batches.push(names.slice(i, i + hostsAtOnce));
  return {
    migrationHost,
    batches,
    hosts: app.map((h) => ({
      name: h.name,
      units: [...h.processes].sort((a, b) => order[a.kind] - order[b.kind]).map((p) => p.unit),
      checks: checksFor(h),
    })),
  };
}
