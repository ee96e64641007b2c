// What every Mastodon unit shares: where the runtimes live, the sandbox variables and the
// [Unit]/[Service] skeleton, so web, streaming, Sidekiq and the timers differ only in their
// command and environment.
import type { SizedHost } from "../../capacity/hosts";
import type { Role } from "../../../spec/schema/common";
import type { Action, HostFile } from "../../types";
import type { RenderContext } from "../context";
import { PATHS } from "../context";
import { renderTemplate } from "../engine";
import { hostFile } from "../host-file";

export const UNIT_DIR = "/etc/systemd/system";
/** Ruby from Debian's ruby/ruby-bundler packages (Debian 13 ships Ruby 3.3, inside Mastodon's range). */
export const BUNDLE = "/usr/bin/bundle";
export const NODE = "/usr/bin/node";
export const TOOTCTL = `${PATHS.live}/bin/tootctl`;
export const TARGET = "mastodon.target";
/**
 * The release directory stays read-only; Mastodon writes only here (NixOS runs Mastodon from a
 * read-only store the same way). Bootsnap honours BOOTSNAP_CACHE_DIR; local media goes to
 * PAPERCLIP_ROOT_PATH under the state directory.
 */
export const CACHE_DIRECTORY = "mastodon";
export const BOOTSNAP_CACHE_DIR = "/var/cache/mastodon/bootsnap";
export const STATE_DIRECTORY = "mastodon";
export const LOCAL_MEDIA_ROOT = "/var/lib/mastodon/public-system";

/** The sandbox knobs that differ between units; the rest of templates/systemd/hardening.liquid is fixed. */
export interface Hardening {
  /** Bind /home/mastodon (read-only) into an otherwise empty /home. */
  home: boolean;
  writable: string[];
  cacheDirectory: string;
  stateDirectory: string;
  mdwe: boolean;
  jitReason: string;
  syscallAllow: string[];
}

export interface ServiceUnit {
  name: string;
  description: string;
  type: "simple" | "oneshot";
  after: string[];
  wants: string[];
  /** Units that must run with this one (the web listener socket). */
  requires: string[];
  /** Paths that must be mounted first (local media on the data volume): never write beneath a mount point still empty. */
  requiresMountsFor?: string[];
  partOf: string;
  workingDirectory: string;
  environmentFiles: string[];
  environment: Record<string, string | number>;
  execStartPre: string[];
  execStart: string;
  execReload: string;
  /** Further [Service] lines (Restart=, timeouts, limits). */
  service: string[];
  hardening: Hardening;
  wantedBy: string;
}

/** Ruby processes: YJIT (enabled by Mastodon's config/initializers/enable_yjit.rb) writes code at runtime. */
export function rubyHardening(ctx: RenderContext): Hardening {
  return {
    home: true,
    writable: [],
    cacheDirectory: CACHE_DIRECTORY,
    stateDirectory: ctx.services.media.kind === "local" ? STATE_DIRECTORY : "",
    mdwe: false,
    jitReason: "Ruby's YJIT",
    syscallAllow: [],
  };
}

/** Environment every Ruby process gets; per-unit values (DB_POOL, threads) are added by the caller. */
export function rubyEnvironment(): Record<string, string> {
  return {
    RAILS_ENV: "production",
    RAILS_LOG_TO_STDOUT: "enabled",
    BOOTSNAP_CACHE_DIR,
    MALLOC_ARENA_MAX: "2",
    LD_PRELOAD: "libjemalloc.so.2",
  };
}

/** Units a local data service provides, so a single box starts Mastodon after its database. */
export function localDataUnits(ctx: RenderContext, host: SizedHost): string[] {
  const pg = ctx.services.postgres;
  const byRole: [Role, string][] = [
    // Debian's postgresql-common runs each cluster as postgresql@<version>-<cluster>.
    ["postgres", pg.kind === "selfHosted" ? `postgresql@${pg.version}-main.service` : ""],
    ["pgbouncer", "pgbouncer.service"],
    ["redis", "redis-server.service"],
    ["search", "opensearch.service"],
  ];
  return byRole.filter(([role, unit]) => unit !== "" && host.roles.includes(role)).map(([, unit]) => unit);
}

function envLine(key: string, value: string | number): string {
  const text = String(value);
  if (/[\s"\\]/.test(text)) throw new Error(`environment value for ${key} needs quoting, which the units do not expect: ${text}`);
  return `${key}=${text}`;
}

export function renderService(unit: ServiceUnit): string {
  return renderTemplate("systemd/service", {
    ...unit,
    requiresMountsFor: unit.requiresMountsFor ?? [],
    environment: Object.entries(unit.environment).map(([k, v]) => envLine(k, v)),
  });
}

export function unitFile(name: string, content: string, after: Action[]): HostFile {
  return hostFile(`${UNIT_DIR}/${name}`, content, { mode: "0644", after });
}

/**
 * The one host in the stack that runs the maintenance timers: the first (in the stack's host
 * order) that runs Sidekiq, so it has the application, its environment and database access.
 */
export function maintenanceHost(ctx: RenderContext): SizedHost | undefined {
  return ctx.hosts.find((h) => h.processes.some((p) => p.kind === "sidekiq"));
}
