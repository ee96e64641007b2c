// What a converge does on a host for a change of its files, as templates/scripts/converge.sh
// does it: used by the pull-request preview and by the booted-host tests that check it.
import type { Action, HostFile } from "./types";

const unitsOf = (files: readonly HostFile[], kind: Action["kind"]) => files.flatMap((f) => f.after.flatMap((a) => (a.kind === kind && "unit" in a ? [a.unit] : [])));

/**
 * The units a converge restarts and reloads when a host's files go from `before` to `after`:
 * the declared actions of every file whose content is new or different (an owner or mode alone
 * is put right without one; a unit restarted is not also reloaded).
 */
export function convergeActions(before: readonly HostFile[], after: readonly HostFile[]): { restarts: string[]; reloads: string[] } {
  const old = new Map(before.map((f) => [f.path, f.content]));
  const touched = after.filter((f) => old.get(f.path) !== f.content);
  const restarts = [...new Set(unitsOf(touched, "restart"))].sort();
  return { restarts, reloads: [...new Set(unitsOf(touched, "reload"))].filter((u) => !restarts.includes(u)).sort() };
}
