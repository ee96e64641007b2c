import type { Action, HostFile } from "../types";
import { placeholdersIn } from "./placeholders";

/**
 * Where a rendered file may go. The converge script, which writes as root, refuses every other
 * path with the same list (templates/scripts/converge.sh ALLOWED_ROOTS).
 */
export const ALLOWED_ROOTS = [
  "/etc/mastodon/", "/etc/systemd/system/", "/etc/nginx/", "/etc/letsencrypt/renewal-hooks/deploy/", "/etc/pgbouncer/",
  "/etc/postgresql/", "/etc/redis/", "/usr/local/sbin/", "/usr/local/share/ca-certificates/",
] as const;

/** A normalised absolute path strictly under one of the allowed roots. */
export function allowedPath(path: string): boolean {
  if (!path.startsWith("/") || /\/\/|\/\.\.?(\/|$)|\/$/.test(path)) return false;
  return ALLOWED_ROOTS.some((r) => path.startsWith(r) && path.length > r.length);
}

export interface FileOptions {
  mode?: string;
  owner?: string;
  group?: string;
  after?: Action[];
}

export function hostFile(path: string, content: string, opts: FileOptions = {}): HostFile {
  if (!allowedPath(path)) throw new Error(`${path} is not under an allowed root (${ALLOWED_ROOTS.join(", ")}): the converge script would refuse it`);
  const { secrets, outputs } = placeholdersIn(content);
  if (secrets.length > 0 && opts.mode !== undefined && !/^0[0-7]00$/.test(opts.mode)) {
    throw new Error(`${path} holds secrets (${secrets.join(", ")}) but would be written with mode ${opts.mode}; secrets need 0600 or 0400`);
  }
  return {
    path,
    mode: opts.mode ?? (secrets.length > 0 ? "0600" : "0644"),
    owner: opts.owner ?? "root",
    group: opts.group ?? opts.owner ?? "root",
    content: content.endsWith("\n") ? content : `${content}\n`,
    secrets,
    outputs,
    after: opts.after ?? [],
  };
}
