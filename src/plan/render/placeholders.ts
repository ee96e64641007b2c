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
