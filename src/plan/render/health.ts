// Where each Mastodon process on a host answers its health check, as a file the converge script
// reads: after it restarts a running unit for a changed file, it waits for that unit's URL before
// it reports success — and app hosts converge one after another — so a configuration change
// rolls through the instance instead of restarting every Puma at once.
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import { bindAddress } from "./bind";
import type { RenderContext } from "./context";
import { hostFile } from "./host-file";

export const HEALTH_CHECKS = "/etc/mastodon/health-checks";

export function renderHealthChecks(ctx: RenderContext, host: SizedHost): HostFile[] {
  const bind = bindAddress(ctx.hosts, host);
  const address = bind === "0.0.0.0" ? "127.0.0.1" : bind;
  const lines = host.processes.flatMap((p) => {
    if (p.kind === "web" && p.port !== undefined) return [`${p.unit} http://${address}:${p.port}/health`];
    if (p.kind === "streaming" && p.port !== undefined) return [`${p.unit} http://${address}:${p.port}/api/v1/streaming/health`];
    return [];
  });
  if (lines.length === 0) return [];
  return [hostFile(HEALTH_CHECKS, ["# Rendered by mastodon-stack: <unit> <health URL>, read by mastodon-converge after a restart.", ...lines, ""].join("\n"))];
}
