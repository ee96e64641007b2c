// A host's files as one text the converge script reads on stdin: a header, one line of metadata
// and one line of base64 per file, and an end marker (so a truncated transfer is refused, never
// half-applied). Pure: the same files give the same bytes, so its hash is the command trigger.
import { createHash } from "node:crypto";
import type { Action, HostFile } from "../../plan/types";

export const BUNDLE_HEADER = "mastodon-bundle 1";

export function actionToken(a: Action): string {
  return "unit" in a ? `${a.kind}:${a.unit}` : a.kind;
}

export function bundleText(files: readonly HostFile[]): string {
  const lines = [BUNDLE_HEADER];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (/[\t\n]/.test(f.path + f.owner + f.group)) throw new Error(`file metadata with a tab or newline cannot be bundled: ${JSON.stringify(f.path)}`);
    const sum = createHash("sha256").update(f.content).digest("hex");
    const actions = f.after.length > 0 ? f.after.map(actionToken).join(",") : "-";
    lines.push(["file", f.path, f.mode, f.owner, f.group, sum, actions].join("\t"));
    lines.push(Buffer.from(f.content).toString("base64"));
  }
  lines.push("end", "");
  return lines.join("\n");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
