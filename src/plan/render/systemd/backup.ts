// Database backups: /usr/local/sbin/mastodon-backup (pg_dump -Fc over the direct endpoint,
// then rclone to S3-compatible storage or a local directory, pruned by age) and the oneshot
// service and timer that run it on the maintenance host.
//
// rclone rather than the AWS CLI: it streams a dump of unknown size (rcat) without staging
// it on disk, prunes by age with one flag (--min-age), and takes its whole remote from
// environment variables, so no credentials file is written. Debian package: rclone.
import type { SizedHost } from "../../capacity/hosts";
import type { HostFile } from "../../types";
import type { RenderContext } from "../context";
import { PATHS } from "../context";
import { renderTemplate } from "../engine";
import { hostFile } from "../host-file";
import { secretRef } from "../placeholders";
import { shellQuote } from "../shell";
import { renderService } from "./common";
import { scheduleFor } from "./schedule";
import { timerFiles } from "./timers";

export const BACKUP_SCRIPT = "/usr/local/sbin/mastodon-backup";
/** Bucket keys, read by systemd (as root) into the backup service's environment only. */
export const BACKUP_ENV = "/etc/mastodon/backup.env";
const NAME = "mastodon-backup";


function rcloneProvider(endpoint: string): string {
  const host = new URL(endpoint).hostname;
  if (host.endsWith(".r2.cloudflarestorage.com")) return "Cloudflare";
  if (host.endsWith(".digitaloceanspaces.com")) return "DigitalOcean";
  return "Other";
}

function script(ctx: RenderContext, host: SizedHost): string {
  const backups = ctx.spec.backups!;
  const db = ctx.endpointsFor(host).dbDirect;
  const s3 = backups.target.s3;
  const local = backups.target.local;
  const dest = s3 ? `backup:${s3.bucket}/${ctx.spec.name}` : "";
  return renderTemplate("systemd/backup-script", {
    stack: ctx.spec.name,
    target: s3 ? "s3" : "local",
    keepDays: backups.keepDays,
    envFile: PATHS.env,
    backupEnv: BACKUP_ENV,
    localDir: shellQuote(local?.path ?? ""),
    pg: {
      host: shellQuote(db.host),
      port: shellQuote(db.port),
      name: shellQuote(db.name),
      user: shellQuote(db.user),
      sslmode: shellQuote(db.sslmode),
      caFile: db.caFile ? shellQuote(db.caFile) : "",
    },
    s3: {
      url: s3 ? `s3://${s3.bucket}/${ctx.spec.name}/ at ${s3.endpoint}` : "",
      provider: shellQuote(s3 ? rcloneProvider(s3.endpoint) : ""),
      endpoint: shellQuote(s3?.endpoint ?? ""),
      region: shellQuote(s3?.region ?? ""),
      dest: shellQuote(dest),
    },
  });
}

export function backupFiles(ctx: RenderContext, host: SizedHost): HostFile[] {
  const backups = ctx.spec.backups;
  if (!backups) return [];
  const local = backups.target.local?.path;
  if (local && !/^\/[A-Za-z0-9._/-]+$/.test(local)) throw new Error(`backups.target.local.path ${local}: unit files take plain paths (letters, digits, . _ - /)`);
  const files: HostFile[] = [hostFile(BACKUP_SCRIPT, script(ctx, host), { mode: "0750", owner: "root", group: "mastodon" })];
  if (backups.target.s3) {
    const keys = [
      "# Rendered by mastodon-stack: keys for the backup bucket (stack backups.target.s3).",
      `RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID=${secretRef("BACKUP_ACCESS_KEY_ID")}`,
      `RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY=${secretRef("BACKUP_SECRET_ACCESS_KEY")}`,
    ];
    files.push(hostFile(BACKUP_ENV, keys.join("\n"), { mode: "0600", owner: "root", group: "root" }));
  }
  const service = renderService({
    name: `${NAME}.service`,
    description: "Mastodon database backup",
    type: "oneshot",
    after: ["network-online.target"],
    wants: ["network-online.target"],
    requires: [],
    partOf: "",
    workingDirectory: "/",
    environmentFiles: [PATHS.env, ...(backups.target.s3 ? [BACKUP_ENV] : [])],
    environment: {},
    // "+": created with full privileges, since the sandboxed run may write only inside it.
    execStartPre: local ? [`+/usr/bin/install -d -o mastodon -g mastodon -m 0750 ${local}`] : [],
    execStart: BACKUP_SCRIPT,
    execReload: "",
    service: ["TimeoutStartSec=6h", "Nice=10", "IOSchedulingClass=best-effort", "IOSchedulingPriority=7"],
    // bash, pg_dump and rclone (Go) need no JIT, so this unit also denies writable code.
    hardening: { home: false, writable: local ? [local] : [], cacheDirectory: "", stateDirectory: "", mdwe: true, jitReason: "", syscallAllow: [] },
    wantedBy: "",
  });
  const schedule = scheduleFor(backups.every);
  files.push(...timerFiles({ name: NAME, description: `Back up the Mastodon database every ${backups.every}`, schedule: schedule.lines, randomizedDelay: schedule.randomizedDelay }, service));
  return files;
}
