// Values the plan cannot know: secrets (filled by pulumi.secret outputs) and addresses or
// hostnames of resources that do not exist yet (filled by the component layer).
const MARKER = /\{\{(secret|output):([A-Za-z0-9_.-]+)\}\}/g;

export function secretRef(name: string): string {
  return `{{secret:${name}}}`;
}

export function outputRef(name: string): string {
  return `{{output:${name}}}`;
}

export function placeholdersIn(content: string): { secrets: string[]; outputs: string[] } {
  const secrets = new Set<string>();
  const outputs = new Set<string>();
  for (const m of content.matchAll(MARKER)) (m[1] === "secret" ? secrets : outputs).add(m[2]!);
  return { secrets: [...secrets].sort(), outputs: [...outputs].sort() };
}

/** Replaces every marker; `fill` decides each value (the offline plan redacts secrets). */
export function fillPlaceholders(content: string, fill: (kind: "secret" | "output", name: string) => string): string {
  return content.replace(MARKER, (_, kind: "secret" | "output", name: string) => fill(kind, name));
}

export function redact(content: string): string {
  return fillPlaceholders(content, (kind, name) => (kind === "secret" ? `<redacted:${name}>` : `<output:${name}>`));
}

/** Files read as KEY=value lines by systemd (EnvironmentFile=) and by Mastodon's dotenv. */
const ENV_FILE = /(^|\/)(env\.[a-z]+|[a-z-]+\.env)$/;
const PEM_FILE = /\.(crt|key|pem)$/;
/** Lines of quoted words (PgBouncer's userlist.txt): a double quote would end the word. */
const QUOTED_WORDS = /\/userlist\.txt$/;

/**
 * Why a value may not be filled into the file at `path`, or undefined when it may: a control
 * character would add lines (LD_PRELOAD= in env.production); in an env file, quotes, `\`, `$`,
 * `` ` `` and `#` mean something to systemd or dotenv, and so do spaces at either end.
 */
export function unsafeFill(path: string, value: string): string | undefined {
  // A certificate or key file holds a PEM value, lines and all; nothing else does.
  if (PEM_FILE.test(path)) return /-----BEGIN [A-Z ]+-----/.test(value) || value === "" ? undefined : `it is not PEM, which ${path} must hold`;
  const control = /[\u0000-\u001f\u007f]/.exec(value);
  if (control) return `it contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}), which would break ${path} into more lines`;
  if (ENV_FILE.test(path)) {
    const special = /["'\\$`#]/.exec(value);
    if (special) return `it contains ${special[0]}, which systemd or Mastodon's dotenv would read differently in ${path}`;
    if (value !== value.trim()) return `it starts or ends with a space, which ${path} would drop`;
  }
  if (QUOTED_WORDS.test(path) && value.includes('"')) return `it contains ", which would end its quoted word in ${path}`;
  return undefined;
}
