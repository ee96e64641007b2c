// One line of /etc/mastodon/env.production. The file is read twice: by systemd as every
// Mastodon unit's EnvironmentFile= (which is what takes effect, since dotenv never overrides a
// variable the process already has) and by dotenv through the release's .env.production link.
// Only values both parsers read the same way are written: plain text, or double quotes around
// text with spaces. `$`, backslashes, quotes and newlines would be expanded or unescaped by one
// parser and not the other, so they are refused rather than escaped.
import { ENV_TEXT } from "../../../spec/schema/common";

const PLAIN = /^[A-Za-z0-9_.,:/@%+=<>{}\-*~!?[\]()]*$/;
// The spec refuses the rest where it is written (mail.smtp.user/from): see EnvText.
const QUOTABLE = ENV_TEXT;

export function envLine(key: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`not an environment variable name: ${key}`);
  if (PLAIN.test(value)) return `${key}=${value}`;
  if (QUOTABLE.test(value) && value.trim() === value) return `${key}="${value}"`;
  throw new Error(`${key}: the value ${JSON.stringify(value)} holds characters systemd and dotenv read differently ($, \\, quotes or newlines)`);
}

export interface EnvSection {
  title: string;
  vars: Record<string, string>;
}

/** Lines of one section, sorted by name so the file is stable whatever order the values were decided in. */
export function sectionLines(section: EnvSection): string[] {
  return Object.keys(section.vars)
    .sort()
    .map((k) => envLine(k, section.vars[k]!));
}
