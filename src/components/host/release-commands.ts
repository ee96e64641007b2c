// The release script's command lines, as plain strings built by pure functions: the program runs
// them with @pulumi/command and the end-to-end test sends exactly the same strings over a real
// sshd. No Pulumi here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TEMPLATE_ROOT } from "../../plan/render/engine";
import { shellQuote } from "../../plan/render/shell";

export const RELEASE_PATH = "/usr/local/sbin/mastodon-release";

export type MigratePhase = "pre" | "post";

export interface SwitchOptions {
  /** Restarted in this order; a streaming unit's check passes before the next unit restarts. */
  units: readonly string[];
  /** URLs that must answer 200 after the units, e.g. http://127.0.0.1:3000/health. */
  checks: readonly string[];
}

let release: string | undefined;

/** The release script's text, read once per process. */
export function releaseScript(): string {
  return (release ??= readFileSync(join(TEMPLATE_ROOT, "scripts", "release.sh"), "utf8"));
}

function script(root?: string): string {
  return root ? `${shellQuote(`${root}${RELEASE_PATH}`)} --root ${shellQuote(root)}` : RELEASE_PATH;
}

/** Clones, checks Ruby, installs gems and packages, precompiles; "already built" when done before. */
export function buildCommand(version: string, root?: string): string {
  return `${script(root)} build ${shellQuote(version)}`;
}

/** Pre- (SKIP_POST_DEPLOYMENT_MIGRATIONS=true, db:prepare) or post-deployment (db:migrate) migrations. */
export function migrateCommand(phase: MigratePhase, version: string, root?: string): string {
  if (phase !== "pre" && phase !== "post") throw new Error(`migrate phase must be pre or post, not ${String(phase)}`);
  return `${script(root)} migrate ${phase} ${shellQuote(version)}`;
}

/** Points live at the release, reloads/restarts the units in order, waits for the checks; rolls back on failure. */
export function switchCommand(version: string, opts: SwitchOptions, root?: string): string {
  const args = [
    ...opts.units.flatMap((u) => ["--unit", shellQuote(u)]),
    ...opts.checks.flatMap((c) => ["--check", shellQuote(c)]),
  ];
  return [`${script(root)} switch ${shellQuote(version)}`, ...args].join(" ");
}

/** Removes builds beyond the newest `keep`, never the live release or the one before it. */
export function pruneCommand(keep: number, root?: string): string {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`prune keeps a positive whole number of releases, not ${keep}`);
  return `${script(root)} prune ${keep}`;
}

/** Prints the live version. */
export function statusCommand(root?: string): string {
  return `${script(root)} status`;
}
