// Which hosts run a Mastodon release, in what order they switch, what each restarts and which
// health endpoints prove it came back. Pure: derived from the plan, tested without Pulumi.
import { healthChecks, type HealthCheck } from "../../plan/render/health";
import type { Plan } from "../../plan/types";

export interface RolloutHost {
  name: string;
  /** In switch order: Puma, streaming instances, Sidekiq processes (each restarted). */
  units: string[];
  /** Health URLs of its Puma and streaming processes (the address may be a plan marker). */
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
      checks: healthChecks(plan.hosts, h),
    })),
  };
}
