// The unified diff of every file a change rewrites on a host, from the two redacted plans: what a
// reviewer reads to see what a converge would write. Secrets are `<redacted>` on both sides (the
// plans are written redacted), so a rotated secret shows as no change and a new one as a marker.
import { createTwoFilesPatch } from "diff";
import type { PlannedHost } from "../../plan/types";

export interface FilePatch {
  path: string;
  status: "added" | "changed" | "removed";
  /** Unified diff, three lines of context, without the `===` header. */
  patch: string;
  /** Lines added and removed, for the summary line and for trimming the comment. */
  added: number;
  removed: number;
}

type Files = Pick<PlannedHost, "files" | "userData">;

function contents(h: Files | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (!h) return m;
  m.set("cloud-init/user-data.yaml", h.userData);
  for (const f of h.files) m.set(f.path, f.content);
  return m;
}

function patchOf(path: string, before: string, after: string, status: FilePatch["status"]): FilePatch {
  const full = createTwoFilesPatch(`a/${path.replace(/^\//, "")}`, `b/${path.replace(/^\//, "")}`, before, after, undefined, undefined, { context: 3 });
  const body = full.split("\n").slice(full.startsWith("===") ? 1 : 0);
  const count = (c: string) => body.filter((l) => l.startsWith(c) && !l.startsWith(`${c}${c}${c} `)).length;
  return { path, status, patch: body.join("\n").trimEnd(), added: count("+"), removed: count("-") };
}

/** Patches for one host's files (and its user-data), in path order; a new or removed host is listed, not diffed line by line. */
export function filePatches(before: Files | undefined, after: Files | undefined): FilePatch[] {
  if (!before || !after) return [];
  const b = contents(before);
  const a = contents(after);
  return [...new Set([...b.keys(), ...a.keys()])].sort().flatMap((path) => {
    const x = b.get(path);
    const y = a.get(path);
    if (x === y) return [];
    return [patchOf(path, x ?? "", y ?? "", x === undefined ? "added" : y === undefined ? "removed" : "changed")];
  });
}
