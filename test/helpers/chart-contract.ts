// The contract between values we hand Mastodon's official Helm chart and the chart itself, read
// from the fixture (../shared/fixtures/mastodon-helm-chart/<version>/): every key we set must be
// one the chart declares in values.yaml (or a template reads as .Values.…), under free-form maps
// (`{}`, e.g. extraEnvVars, resources) anything goes, list items follow the keys of the chart's
// example item, and a leaf the chart declares as a scalar may not be given a map. A misspelled
// key — which Helm silently ignores — fails here with its path.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const CHART_DIR = join(__dirname, "..", "..", "..", "shared", "fixtures", "mastodon-helm-chart", "1.0.2");

type Tree = unknown;

export interface Chart {
  values: Tree;
  /** Every `.Values.a.b.c` path the templates read, dotted. */
  readPaths: Set<string>;
  /** Paths passed to `required` with the message the chart fails with. */
  required: Map<string, string>;
}

/**
 * `required "msg" <path>` in a template, with relative paths resolved through the enclosing
 * `{{ with .Values.x }}` blocks (e.g. `.hostname` inside `with .Values.postgresql` is
 * postgresql.hostname). `if`/`else` keep the scope; `range`, `define` and a `with` of anything
 * but .Values leave relative paths unresolved (they are not values paths).
 */
function requiredIn(text: string, into: Map<string, string>): void {
  const scopes: (string | undefined)[] = [""];
  for (const m of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)) {
    const action = m[1]!;
    const opener = /^(with|if|range|define|block)\b\s*(.*)$/s.exec(action);
    if (opener) {
      const current = scopes[scopes.length - 1];
      const target = /^\$?\w*\.Values((?:\.[A-Za-z0-9_]+)+)\s*$/.exec(opener[2]!);
      scopes.push(opener[1] === "if" ? current : opener[1] === "with" && target ? target[1]!.slice(1) : undefined);
    } else if (/^end\b/.test(action)) scopes.pop();
    for (const r of action.matchAll(/required\s+"([^"]*)"\s+(\$?\w*\.Values)?((?:\.[A-Za-z0-9_]+)+)/g)) {
      const scope = r[2] ? "" : scopes[scopes.length - 1];
      if (scope !== undefined) into.set([scope, r[3]!.slice(1)].filter(Boolean).join("."), r[1]!);
    }
  }
}

export function loadChart(dir = CHART_DIR): Chart {
  const values = parse(readFileSync(join(dir, "values.yaml"), "utf8")) as Tree;
  const readPaths = new Set<string>();
  const required = new Map<string, string>();
  for (const f of readdirSync(join(dir, "templates"))) {
    const text = readFileSync(join(dir, "templates", f), "utf8");
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) readPaths.add(m[1]!.slice(1));
    requiredIn(text, required);
  }
  return { values, readPaths, required };
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Where `given` steps outside what the chart declares: one message per offending path. */
export function contractViolations(chart: Chart, given: unknown): string[] {
  const out: string[] = [];
  const walk = (declared: unknown, value: unknown, path: string) => {
    if (Array.isArray(value)) {
      if (!Array.isArray(declared)) {
        if (declared !== null && declared !== undefined && !isMap(declared)) out.push(`${path}: the chart declares a scalar, got a list`);
        return;
      }
      // An empty list in values.yaml is free-form; otherwise items follow the example item's keys.
      const example = declared.find(isMap);
      if (example) value.forEach((item, i) => walk(example, item, `${path}[${i}]`));
      return;
    }
    if (!isMap(value)) {
      if (isMap(declared) && Object.keys(declared).length > 0) out.push(`${path}: the chart declares a map here, got ${JSON.stringify(value)}`);
      return;
    }
    if (!isMap(declared)) {
      if (declared !== null && declared !== undefined) out.push(`${path}: the chart declares ${Array.isArray(declared) ? "a list" : "a scalar"}, got a map`);
      return;
    }
    if (Object.keys(declared).length === 0) return; // free-form: extraEnvVars, resources, annotations
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (k in declared) walk(declared[k], v, p);
      else if (!chart.readPaths.has(p) && ![...chart.readPaths].some((r) => r.startsWith(`${p}.`))) out.push(`${p}: not a value of the chart (misspelled? values.yaml has ${Object.keys(declared).sort().join(", ")})`);
    }
  };
  walk(chart.values, given, "");
  return out;
}

/** Helm's value merge: maps merge key by key, anything else (lists too) replaces. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeValues(base[k], v);
  return out;
}

function at(tree: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, k) => (isMap(node) ? node[k] : undefined), tree);
}

const empty = (v: unknown) => v === undefined || v === null || v === "";

/**
 * Every `required` of the chart that would fire for `given` (merged over the chart's defaults):
 * a required value must be set unless its feature is off (an enclosing `enabled: false`) or an
 * enclosing `existingSecret` is set (the chart then renders no Secret of its own, where its
 * `required`s for credentials live; the read replica's follows postgresql.existingSecret).
 */
export function requiredViolations(chart: Chart, given: unknown): string[] {
  const merged = mergeValues(chart.values, given);
  const out: string[] = [];
  for (const [path, message] of [...chart.required].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = path.split(".");
    if (!empty(at(merged, parts))) continue;
    const ancestors = parts.map((_, i) => parts.slice(0, i));
    if (ancestors.some((a) => at(merged, [...a, "enabled"]) === false)) continue;
    if (ancestors.some((a) => !empty(at(merged, [...a, "existingSecret"])))) continue;
    out.push(`${path}: required by the chart ("${message}")`);
  }
  return out;
}
