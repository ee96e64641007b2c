import type { Action, HostFile } from "../types";
import { placeholdersIn } from "./placeholders";

export interface FileOptions {
  mode?: string;
  owner?: string;
  group?: string;
  after?: Action[];
}

export function hostFile(path: string, content: string, opts: FileOptions = {}): HostFile {
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
