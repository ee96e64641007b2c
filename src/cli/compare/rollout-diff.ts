// The rollout a change sets off on the running instance: a new Mastodon version builds on every
// app host, migrates on the maintenance host and switches batch by batch; a changed file restarts
// its units host by host in the same batches (app hosts wait for the batch before them, other
// hosts converge in parallel). Derived from the change's plan with the program's own rollout order.
import { rolloutOf } from "../../components/host/rollout";
import type { Plan } from "../../plan/types";
import type { HostChange } from "./plan-diff";

export interface RolloutChange {
  upgrade?: { from: string; to: string; migrationHost: string; batches: string[][] };
  /** Hosts whose converge restarts or reloads something, in the order they run: app batches first in order, then the others (in parallel). */
  restarts: { batch?: number; host: string; restarts: string[]; reloads: string[] }[];
  /** Hosts the change creates: they boot, converge and start their units before the release switches. */
  newHosts: string[];
}

export function rolloutChange(before: Plan, after: Plan, hosts: readonly HostChange[], hostsAtOnce: number): RolloutChange {
  const app = after.hosts.some((h) => h.processes.some((p) => p.kind === "sidekiq")) ? rolloutOf(after, hostsAtOnce) : undefined;
  const batchOf = new Map((app?.batches ?? []).flatMap((b, i) => b.map((n) => [n, i + 1] as const)));
  const restarts = hosts
    .filter((h) => h.status === "changed" && h.restarts.length + h.reloads.length > 0)
    .map((h) => ({ ...(batchOf.has(h.host) ? { batch: batchOf.get(h.host)! } : {}), host: h.host, restarts: h.restarts, reloads: h.reloads }))
    .sort((x, y) => (x.batch ?? Infinity) - (y.batch ?? Infinity) || x.host.localeCompare(y.host));
  const from = before.stack.mastodonVersion;
  const to = after.stack.mastodonVersion;
  return {
    ...(from !== to && app ? { upgrade: { from, to, migrationHost: app.migrationHost, batches: app.batches } } : {}),
    restarts,
    newHosts: hosts.filter((h) => h.status === "added").map((h) => h.host),
  };
}
