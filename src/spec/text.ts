// Every string of a stack file ends up in something a host parses: an env file, INI, YAML, a
// unit, a shell script. Whatever its field, a value may not carry a control character (a newline
// adds a line to env.production), the placeholder syntax the program fills with secrets and
// addresses ({{secret:…}}, so a stack value could ask for SECRET_KEY_BASE), or run past any
// length a real value needs. Checked on the document as written, before its shape, so every
// problem is reported in the same pass.
import type { Path, RuleIssue } from "./rules";

/** Longer than any name, URL, TXT record (a 4096-bit DKIM key is ~750 characters) or path. */
export const MAX_TEXT = 2048;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const PLACEHOLDER = /\{\{|\}\}/;

function codepoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** One issue per offending string (the first rule it breaks), with its path. */
export function textIssues(raw: unknown, path: Path = []): RuleIssue[] {
  if (typeof raw === "string") {
    const control = CONTROL.exec(raw);
    if (control) return [{ path, message: `contains a control character (${codepoint(control[0])})`, fix: "write the value on one line without control characters" }];
    if (PLACEHOLDER.test(raw)) return [{ path, message: 'contains "{{" or "}}", the syntax of the placeholders mastodon-stack fills with secrets and addresses', fix: "remove the braces: no stack value may name a placeholder" }];
    if (raw.length > MAX_TEXT) return [{ path, message: `is ${raw.length} characters long (at most ${MAX_TEXT})`, fix: "shorten it" }];
    return [];
  }
  if (Array.isArray(raw)) return raw.flatMap((v, i) => textIssues(v, [...path, i]));
  if (raw !== null && typeof raw === "object") return Object.entries(raw).flatMap(([k, v]) => textIssues(v, [...path, k]));
  return [];
}
