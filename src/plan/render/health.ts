// Where each Mastodon process on a host answers its health check. One derivation for two readers:
// the rendered /etc/mastodon/health-checks (the converge script waits on it after restarting a
// running unit, and app hosts converge one after another, so a configuration change rolls through
// the instance) and the release switch (checked before the next host switches).
import type { HostFile, PlannedHost } from "../types";
import { bindAddress } from "./bind";
import type { RenderContext } from "./context";
import { hostFile } from "./host-file";

export const HEALTH_CHECKS = "/etc/mastodon/health-checks";

export interface HealthCheck {
  unit: string;
  /** http://<listen address>:<port>/<path>; the address may be an {{output:address.<host>}} marker. */
  url: string;
}

type Checked = Pick<PlannedHost, "name" | "roles" | "privateAddress" | "processes">;

export function healthChecks(hosts: readonly Checked[], host: Checked): HealthCheck[] {
  const bind = bindAddress(hosts, host);
  const address = bind === "0.0.0.0" ? "127.0.0.1" : bind;
  return host.processes.flatMap((p) => {
    if (p.kind === "web" && p.port !== undefined) return [{ unit: p.unit, url: `http://${address}:${p.port}/health` }];
    if (p.kind === "streaming" && p.port !== undefined) return [{ unit: p.unit, url: `http://${address}:${p.port}/api/v1/streaming/health` }];
    return [];
  });
}

export function renderHealthChecks(ctx: RenderContext, host: Checked): HostFile[] {
  const lines = healthChecks(ctx.hosts, host).map((c) => `${c.unit} ${c.url}`);
  if (lines.length === 0) return [];
  return [hostFile(HEALTH_CHECKS, ["# Rendered by mastodon-stack: <unit> <health URL>, read by mastodon-converge after a restart.", ...lines, ""].join("\n"))];
}
