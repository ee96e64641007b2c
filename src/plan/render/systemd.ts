// systemd units for one host: its planned processes grouped under mastodon.target, and on
// the stack's maintenance host the cleanup timers and the database backup.
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";
import { renderTemplate } from "./engine";
import { backupFiles } from "./systemd/backup";
import { maintenanceHost, TARGET, unitFile } from "./systemd/common";
import { maintenanceTimers } from "./systemd/timers";
import { processUnits } from "./systemd/units";

export function renderSystemd(ctx: RenderContext, host: SizedHost): HostFile[] {
  const files: HostFile[] = [];
  if (host.processes.length > 0) {
    const { files: units, units: names } = processUnits(ctx, host);
    files.push(...units);
    const target = renderTemplate("systemd/target", { host: host.name, units: names });
    // Enabled, never restarted on change: a restart would propagate (PartOf=) to every process,
    // web included. Each unit file carries its own restart or reload.
    files.push(unitFile(TARGET, target, [{ kind: "daemon-reload" }, { kind: "enable", unit: TARGET }]));
  }
  const maintenance = maintenanceHost(ctx);
  if (ctx.spec.backups && !maintenance) throw new Error("backups are configured but no host runs Sidekiq to run them: add the sidekiq role to a host");
  if (maintenance?.name === host.name) files.push(...maintenanceTimers(ctx, host), ...backupFiles(ctx, host));
  return files;
}
