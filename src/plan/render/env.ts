// /etc/mastodon/env.production on every host that runs Mastodon processes: one file for web,
// streaming, Sidekiq and the maintenance jobs, holding only variables Mastodon reads (checked by
// assertMastodonEnv against mastodon-env.ts) and the process-level CA variables its libraries
// read. Secrets appear as markers only; the file is 0600 and owned by mastodon.
import type { SizedHost } from "../capacity/hosts";
import type { Action, HostFile } from "../types";
import { PATHS, type RenderContext } from "./context";
import { renderTemplate } from "./engine";
import { caVars, databaseVars, mailVars, redisVars, searchVars } from "./env/services";
import { sectionLines, type EnvSection } from "./env/format";
import { mediaVars } from "./env/media";
import { hostFile } from "./host-file";
import { assertMastodonEnv, ENV_VAR_VERSIONS } from "./mastodon-env";
import { railsMustServeStatic } from "./nginx";
import { outputRef, secretRef } from "./placeholders";

function versionTuple(v: string): number[] {
  return v.replace(/^v/, "").split(".").map(Number);
}

function before(a: string, b: string): boolean {
  const [x, y] = [versionTuple(a), versionTuple(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/** Whether the release reads `name`, from mastodon-env.ts's version bounds. */
function readBy(name: string, version: string): boolean {
  const b = ENV_VAR_VERSIONS.get(name);
  return !b || ((b.since === undefined || !before(version, b.since)) && (b.until === undefined || before(version, b.until)));
}

function instanceVars(ctx: RenderContext): Record<string, string> {
  const spec = ctx.spec;
  return {
    LOCAL_DOMAIN: spec.domain,
    ...(spec.webDomain && spec.webDomain !== spec.domain ? { WEB_DOMAIN: spec.webDomain } : {}),
    ...(spec.alternateDomains.length > 0 ? { ALTERNATE_DOMAINS: spec.alternateDomains.join(",") } : {}),
    SINGLE_USER_MODE: String(spec.mastodon.singleUserMode),
    // Any value, even false, overrides the admin UI's toggle, so it is written only to turn it on.
    ...(spec.mastodon.authorizedFetch ? { AUTHORIZED_FETCH: "true" } : {}),
    DEFAULT_LOCALE: spec.mastodon.defaultLocale,
  };
}

function webVars(ctx: RenderContext, host: SizedHost): Record<string, string> {
  return {
    // Our proxies reach Puma and streaming from the private network or loopback. Setting the
    // list replaces Rails' and streaming's defaults (all private ranges) with exactly these.
    TRUSTED_PROXY_IP: [ctx.spec.network.privateCidr, "127.0.0.1/8", "::1/128"].join(","),
    // A proxy without Puma beside it cannot read public/, so Puma serves static files itself.
    ...(host.processes.some((p) => p.kind === "web") && railsMustServeStatic(ctx.hosts) ? { RAILS_SERVE_STATIC_FILES: "true" } : {}),
  };
}

function secretVars(version: string): Record<string, string> {
  const names = [
    "SECRET_KEY_BASE",
    "VAPID_PRIVATE_KEY",
    "VAPID_PUBLIC_KEY",
    "ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY",
    "ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT",
    "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY",
    // 4.3.x refuses to boot without it; later releases read it only in a 2024 migration.
    ...(readBy("OTP_SECRET", version) ? ["OTP_SECRET"] : []),
  ];
  return Object.fromEntries(names.map((n) => [n, secretRef(n)]));
}

function searchNodes(ctx: RenderContext): number {
  // The spec sizes one managed node or one self-hosted host; more would need a node count there.
  return ctx.services.search.kind === "off" ? 0 : 1;
}

/** The sections of the file, in reading order; each is sorted by name when rendered. */
export function envSections(ctx: RenderContext, host: SizedHost): { mastodon: EnvSection[]; process: EnvSection } {
  const endpoints = ctx.endpointsFor(host);
  const version = ctx.spec.mastodon.version;
  const ca = caVars(endpoints);
  const mastodon: EnvSection[] = [
    { title: "Instance", vars: instanceVars(ctx) },
    { title: "Web and proxies", vars: webVars(ctx, host) },
    { title: "Secrets", vars: secretVars(version) },
    { title: "PostgreSQL", vars: databaseVars(endpoints, ctx.budget) },
    { title: "Redis", vars: redisVars(endpoints) },
    { title: "Search", vars: searchVars(endpoints, searchNodes(ctx)) },
    { title: "Media storage", vars: mediaVars(ctx.spec) },
    { title: "Mail", vars: mailVars(ctx.spec) },
  ].filter((s) => Object.keys(s.vars).length > 0);
  return { mastodon, process: { title: "Process environment: CA files for libpq and Node", vars: ca } };
}

/** Every Mastodon unit on the host must restart to see a changed environment (see the note below). */
function restarts(host: SizedHost): Action[] {
  return [...new Set(host.processes.map((p) => p.unit))].map((unit) => ({ kind: "restart" as const, unit }));
}

export function renderEnv(ctx: RenderContext, host: SizedHost): HostFile[] {
  if (host.processes.length === 0) return [];
  const { mastodon, process } = envSections(ctx, host);
  const where = `${host.name}:${PATHS.env}`;
  assertMastodonEnv(Object.assign({}, ...mastodon.map((s) => s.vars)), where, { version: ctx.spec.mastodon.version, target: "dotenv" });
  assertMastodonEnv(process.vars, where, { target: "process" });
  const sections = [...mastodon, ...(Object.keys(process.vars).length > 0 ? [process] : [])];
  const content = renderTemplate("mastodon/env.production.liquid", {
    host: host.name,
    sections: sections.map((s) => ({ title: s.title, lines: sectionLines(s) })),
  });
  // Restart, not reload, even for Puma: systemd hands a unit its EnvironmentFile= only when it
  // starts the main process, and a USR1 reload keeps the master's old environment (dotenv never
  // overrides a variable that is already set), so a reload would silently keep the old values.
  const after = restarts(host);
  const files = [hostFile(PATHS.env, content, { mode: "0600", owner: "mastodon", group: "mastodon", after })];
  if (ctx.spec.postgres.managed) {
    // The provider's CA for verify-full; public, so world-readable like any CA certificate.
    files.push(hostFile(PATHS.postgresCa, outputRef("postgres.caCertificate"), { mode: "0644", after }));
  }
  return files;
}
