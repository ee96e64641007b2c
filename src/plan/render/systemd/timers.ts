// Maintenance jobs as oneshot services with timers on exactly one host of the stack. The jobs
// bypass PgBouncer (like a migration) and run within the connection reserve: each tootctl job
// holds --concurrency + 1 connections.
//
// No cleanup jobs (media remove, preview_cards remove, statuses remove, accounts prune).
// Upstream dropped its cleanup crons from "Setting up your new instance"
// (docs.joinmastodon.org/admin/setup; mastodon/documentation#1529 "Remove instructions for
// cleanup crons": the retention policy of mastodon/mastodon#19232 makes them unneeded; removal
// confirmed in mastodon/documentation#1134, 2025-07-09; checked 2026-11-30). Sidekiq's vacuum
// scheduler now removes cached remote media and preview cards after Administration → Server
// Settings → Content retention → "Media cache retention period". A timer with a fixed
// `--days` would delete what that setting keeps, so retention is the admin's, set in that page.
import type { SizedHost } from "../../capacity/hosts";
import type { HostFile } from "../../types";
import type { RenderContext } from "../context";
import { PATHS } from "../context";
import { renderTemplate } from "../engine";
import { hostFile } from "../host-file";
import { renderService, rubyEnvironment, rubyHardening, TOOTCTL, unitFile } from "./common";

/** Overrides the pooled endpoint in env.production with the direct one (later EnvironmentFile= wins). */
export const MAINTENANCE_ENV = "/etc/mastodon/env.maintenance";
const CONCURRENCY = 2;

interface Job {
  name: string;
  description: string;
  args: string;
  onCalendar: string;
}

/** Jobs the stack runs on a schedule: none of them deletes content (see above). */
export function maintenanceJobs(ctx: RenderContext): Job[] {
  const list: Job[] = [];
  // Sidekiq keeps the indexes current; a weekly deploy re-imports what it missed and cleans stale documents.
  if (ctx.services.search.kind !== "off") {
    list.push({ name: "mastodon-search-deploy", description: "refresh the search indexes", args: `search deploy --concurrency ${CONCURRENCY}`, onCalendar: "Sun *-*-* 04:15:00" });
  }
  return list;
}

export interface TimerSpec {
  /** Without the .timer suffix; the service it starts has the same name. */
  name: string;
  description: string;
  schedule: string[];
  randomizedDelay: string;
}

/**
 * The timer and its service's `after` actions. A oneshot service file is only reloaded: starting
 * it on every converge would run the job (a backup, a cleanup) whenever its text changes.
 */
export function timerFiles(t: TimerSpec, serviceContent: string): HostFile[] {
  const timer = `${t.name}.timer`;
  const content = renderTemplate("systemd/timer", { description: t.description, schedule: t.schedule, randomizedDelay: t.randomizedDelay, unit: `${t.name}.service` });
  return [
    unitFile(`${t.name}.service`, serviceContent, [{ kind: "daemon-reload" }]),
    unitFile(timer, content, [{ kind: "daemon-reload" }, { kind: "restart", unit: timer }, { kind: "enable", unit: timer }]),
  ];
}

function maintenanceEnv(ctx: RenderContext, host: SizedHost): HostFile {
  const db = ctx.endpointsFor(host).dbDirect;
  const lines = [
    "# Rendered by mastodon-stack: maintenance jobs talk to PostgreSQL directly, not through the pool.",
    `DB_HOST=${db.host}`,
    `DB_PORT=${db.port}`,
    `DB_NAME=${db.name}`,
    `DB_USER=${db.user}`,
    `DB_SSLMODE=${db.sslmode}`,
    ...(db.caFile ? [`PGSSLROOTCERT=${db.caFile}`] : []),
  ];
  return hostFile(MAINTENANCE_ENV, lines.join("\n"), { mode: "0640", owner: "root", group: "root" });
}

export function maintenanceTimers(ctx: RenderContext, host: SizedHost): HostFile[] {
  // Rendered with or without jobs: migrations (release.sh) and the admin account read it too.
  const files = [maintenanceEnv(ctx, host)];
  for (const job of maintenanceJobs(ctx)) {
    const service = renderService({
      name: `${job.name}.service`,
      description: `Mastodon maintenance: ${job.description}`,
      type: "oneshot",
      after: ["network-online.target"],
      wants: ["network-online.target"],
      requires: [],
      partOf: "",
      workingDirectory: PATHS.live,
      environmentFiles: [PATHS.env, MAINTENANCE_ENV],
      environment: rubyEnvironment(),
      execStartPre: [],
      execStart: `${TOOTCTL} ${job.args}`,
      execReload: "",
      service: ["TimeoutStartSec=6h", "Nice=10", "IOSchedulingClass=best-effort", "IOSchedulingPriority=7"],
      hardening: rubyHardening(ctx),
      wantedBy: "",
    });
    files.push(...timerFiles({ name: job.name, description: `Run ${job.name}.service: ${job.description}`, schedule: [`OnCalendar=${job.onCalendar}`], randomizedDelay: "30min" }, service));
  }
  return files;
}
