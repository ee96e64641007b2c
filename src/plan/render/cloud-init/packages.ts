// Debian packages a host needs for its roles: cloud-init installs them at first boot, and the
// packages step (packages-step.ts) installs whatever is missing later, from this same list, so
// the converge step finds its tools on a host whose roles or release changed after it was created.
// The image is Debian 13 (trixie), as the units assume (/usr/bin/bundle and /usr/bin/node from
// the ruby and nodejs packages).
import { nodeFor } from "../../../catalog/mastodon-releases";
import type { SizedHost } from "../../capacity/hosts";
import type { HostFile } from "../../types";
import type { RenderContext } from "../context";
import { acmeMode, acmePackages } from "../acme";
import { runsPgbouncer } from "../data/pgbouncer";
import { runsPostgres } from "../data/postgres";
import { runsRedis } from "../data/redis";
import { INPUT_POLICY_RULESET } from "../input-policy";
import { BACKUP_SCRIPT } from "../systemd/backup";
import { egressFor } from "./network";

/** PostgreSQL major version Debian 13 ships; other versions come from apt.postgresql.org (PGDG). */
export const DEBIAN_POSTGRES = "17";

/** Debian 13's codename: third-party repositories publish a suite per Debian release. */
export const DEBIAN_CODENAME = "trixie";

/** cloud-init's name for NodeSource's source: it writes /etc/apt/sources.list.d/<name>.list. */
export const NODESOURCE_SOURCE = "nodesource";

/** NodeSource's one-line source; `keyFile` is what signs it (cloud-init's $KEY_FILE or the step's keyring). */
export function nodesourceLine(major: number, keyFile: string): string {
  return `deb [signed-by=${keyFile}] https://deb.nodesource.com/node_${major}.x nodistro main`;
}

/** Every host: unattended security updates (configured in cloud-init.ts). */
const BASE = ["ca-certificates", "unattended-upgrades"];

/**
 * Building and running a Mastodon release with Debian's Ruby 3.3 and Node: the native gems'
 * headers (pg, nokogiri, psych, idn-ruby, charlock_holmes, ffi), jemalloc for LD_PRELOAD,
 * libvips (through libvips-tools, whose dependency is named libvips42 or libvips42t64 by release)
 * and ffmpeg for media, `file` for Paperclip's content-type check, corepack for Yarn.
 * Compared with upstream's install guide (docs.joinmastodon.org/admin/install, checked 2026-11):
 * no rbenv toolchain (bison, readline, gdbm), no ImageMagick (libvips is the default since 4.3).
 */
const APP = [
  "build-essential",
  // The release script's health checks after a switch.
  "curl",
  "ffmpeg",
  "file",
  "git",
  "libffi-dev",
  "libicu-dev",
  "libidn-dev",
  "libjemalloc2",
  "libpq-dev",
  "libssl-dev",
  "libvips-tools",
  "libxml2-dev",
  "libxslt1-dev",
  "libyaml-dev",
  "node-corepack",
  "nodejs",
  "pkg-config",
  // psql: the first-install step grants the managed database to the application user from here,
  // and admins reach the database with it.
  "postgresql-client",
  "ruby",
  "ruby-bundler",
  "ruby-dev",
  "zlib1g-dev",
];

export interface HostPackages {
  packages: string[];
  /** A PostgreSQL major that needs the PGDG repository first (runcmd installs it). */
  pgdgPostgres?: string;
  /** Node from NodeSource's repository: the release needs a newer one than Debian's. */
  nodesource?: { major: number };
}

export function hostPackages(ctx: RenderContext, host: SizedHost, files: readonly HostFile[], natGateway: boolean): HostPackages {
  const set = new Set(BASE);
  const add = (...names: string[]) => names.forEach((n) => set.add(n));
  const node = nodeFor(ctx.spec.mastodon.version);
  if (host.processes.length > 0) {
    add(...APP);
    // NodeSource's nodejs carries its own corepack; Debian's node-corepack would collide with it.
    if (node.source === "nodesource") set.delete("node-corepack");
  }
  if (host.roles.includes("proxy")) add("nginx", ...acmePackages(acmeMode(ctx.spec)));
  if (runsRedis(ctx, host)) add("redis-server");
  if (runsPgbouncer(ctx, host)) add("pgbouncer");
  // The backup script runs pg_dump (any newer client dumps an older server) and rclone.
  if (files.some((f) => f.path === BACKUP_SCRIPT)) add("postgresql-client", "rclone");
  if (natGateway || files.some((f) => f.path === INPUT_POLICY_RULESET)) add("nftables");

  let pgdgPostgres: string | undefined;
  const pg = ctx.services.postgres;
  if (runsPostgres(ctx, host) && pg.kind === "selfHosted") {
    // postgresql-common ships the PGDG key and setup script, so no key is fetched from a keyserver.
    if (pg.version === DEBIAN_POSTGRES) add(`postgresql-${pg.version}`);
    else {
      add("postgresql-common");
      pgdgPostgres = pg.version;
    }
  }
  const nodesource = host.processes.length > 0 && node.source === "nodesource" ? { nodesource: { major: node.major } } : {};
  return { packages: [...set].sort(), ...(pgdgPostgres ? { pgdgPostgres } : {}), ...nodesource };
}

/** hostPackages for a host as planned: the IPv4 egress gateway among them needs nftables for its NAT. */
export function plannedPackages(ctx: RenderContext, host: SizedHost, files: readonly HostFile[]): HostPackages {
  return hostPackages(ctx, host, files, egressFor(ctx, host).kind === "gateway");
}
