// The tootctl commands and options the project may call, per Mastodon series, as upstream's CLI
// defines them (Thor options in lib/mastodon/cli/{accounts,settings,search,media,preview_cards,
// statuses,cache}.rb at the version-bump commits of 4.3.0 … 4.6.5; 4.7 from main of 2026-08-07;
// accessed 2026-11-30). A test checks every tootctl call the program and the rendered units make
// against this table, so a wrong flag or subcommand fails before it reaches a host.
import { SUPPORTED_SERIES, type Series } from "./mastodon-releases";

type Options = readonly string[];

const COMMON: Record<string, Options> = {
  "accounts create": ["email", "confirmed", "role", "reattach", "force", "approve"],
  "accounts modify": ["role", "remove-role", "email", "confirm", "enable", "disable", "disable-2fa", "approve", "reset-password"],
  "accounts approve": ["number", "all"],
  "accounts prune": ["concurrency", "dry-run"],
  // The mode "none" is `close`, not `closed`.
  "settings registrations open": [],
  "settings registrations approved": ["require-reason", "require-invite-text"],
  "settings registrations close": [],
  "search deploy": ["concurrency", "batch-size", "only", "import", "clean", "reset-chewy"],
  "media remove": ["days", "prune-profiles", "remove-headers", "include-follows", "concurrency", "verbose", "dry-run"],
  "preview_cards remove": ["days", "concurrency", "verbose", "dry-run", "link"],
  "statuses remove": ["days", "batch-size", "continue", "clean-followed", "skip-status-remove", "skip-media-remove", "compress-database"],
  "cache clear": [],
  "cache recount": ["concurrency", "verbose"],
};

/** Options added in a series (CHANGELOG: 4.4.0 #34466, 4.6.0 #36200). */
const ADDED: Record<string, { since: Series; options: Options }[]> = {
  "search deploy": [{ since: "4.4", options: ["only-mapping"] }],
  "media remove": [{ since: "4.6", options: ["keep-interacted"] }],
};

function optionsAt(series: Series, command: string): Set<string> | undefined {
  const base = COMMON[command];
  if (!base) return undefined;
  const rank = SUPPORTED_SERIES.indexOf(series);
  const added = (ADDED[command] ?? []).filter((a) => SUPPORTED_SERIES.indexOf(a.since) <= rank).flatMap((a) => a.options);
  return new Set([...base, ...added]);
}

/** What is wrong with `tootctl ARGS` at a series: an unknown command or option; empty when it is fine. */
export function tootctlProblems(series: Series, args: readonly string[]): string[] {
  const words = args.filter((a) => !a.startsWith("-"));
  const command = [3, 2].map((n) => words.slice(0, n).join(" ")).find((c) => COMMON[c] !== undefined);
  if (!command) return [`tootctl ${words.slice(0, 3).join(" ")}: no such command in ${series}`];
  const allowed = optionsAt(series, command)!;
  return args
    .filter((a) => a.startsWith("--"))
    .map((a) => a.slice(2).split("=")[0]!.replace(/^no-/, ""))
    .filter((o) => !allowed.has(o))
    .map((o) => `tootctl ${command}: ${series} has no option --${o}`);
}
