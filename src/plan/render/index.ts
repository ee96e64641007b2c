// Every file a host needs for its roles, in a stable order (sorted by path).
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import { renderAcme } from "./acme";
import type { RenderContext } from "./context";
import { renderData } from "./data";
import { renderEnv } from "./env";
import { renderHealthChecks } from "./health";
import { renderInputPolicy } from "./input-policy";
import { renderNginx } from "./nginx";
import { renderSystemd } from "./systemd";
import { renderTls } from "./tls";

const RENDERERS: readonly ((ctx: RenderContext, host: SizedHost) => HostFile[])[] = [renderEnv, renderSystemd, renderNginx, renderData, renderTls, renderAcme, renderHealthChecks, renderInputPolicy];

export function renderHost(ctx: RenderContext, host: SizedHost): HostFile[] {
  const files = RENDERERS.flatMap((r) => r(ctx, host));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two renderers wrote ${f.path} for host ${host.name}`);
    seen.add(f.path);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
