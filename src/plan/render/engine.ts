// One template engine for every rendered file. Liquid with strict variables and filters: a
// template that names something the renderer did not pass fails the plan instead of writing
// an empty string into a production config.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { Liquid } from "liquidjs";

/** templates/ beside package.json, whether we run from src/ (tsx) or a compiled bin/. */
function templateRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "templates"))) return join(dir, "templates");
  }
  throw new Error(`templates/ not found above ${__dirname}`);
}

export const TEMPLATE_ROOT = templateRoot();

const engine = new Liquid({
  root: TEMPLATE_ROOT,
  extname: ".liquid",
  strictVariables: true,
  strictFilters: true,
  // Configs are not HTML: never escape, and keep whitespace control explicit in templates.
  outputEscape: undefined,
  greedy: false,
  cache: true,
});

/** Renders templates/<name>.liquid with exactly the variables given. */
export function renderTemplate(name: string, vars: Record<string, unknown>): string {
  return engine.renderFileSync(name, vars) as string;
}
