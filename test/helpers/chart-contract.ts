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
  /** The `required`s of the chart's own Secrets, which an `existingSecret` switches off. */
  credentials: Set<string>;
  /** Keys the templates read from the items of a list they range over (httproute.rules → matches, filters). */
  itemKeys: Map<string, Set<string>>;
  /** Values the templates pass through whole (`toYaml`): any shape is the API's business, not the chart's. */
  passThrough: Set<string>;
}

/** What `.` is inside a block: a values path (with), the items of a values list (range), or something else. */
type Scope = { kind: "values" | "items"; path: string } | { kind: "other" };

const VALUES_REF = /^\$?\w*\.Values((?:\.[A-Za-z0-9_]+)+)$/;
/** `.name` reads relative to `.`, not `.Values`/`.Release`/… and not fields of a variable ($x.y). */
const RELATIVE = /(?<![\w$)\].])\.([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)/g;
const BUILTINS = new Set(["Values", "Release", "Chart", "Capabilities", "Template", "Files"]);

/**
 * Walks a template's actions keeping what `.` is: relative paths inside `{{ with .Values.x }}`
 * resolve to x.…, relative keys inside `{{ range .Values.list }}` are item keys of the list,
 * `toYaml` of a values path marks it pass-through, and a `required` inside one of the chart's
 * Secret templates (or the secrets define) is a credential.
 */
function readTemplate(file: string, text: string, chart: Omit<Chart, "values">): void {
  // At the top of a template (and of a define) `.` is the root context: `.Values.x` is absolute.
  const scopes: Scope[] = [{ kind: "other" }];
  const defines: (string | undefined)[] = [];
  const resolve = (ref: string): string | undefined => {
    const abs = VALUES_REF.exec(ref);
    if (abs) return abs[1]!.slice(1);
    const scope = scopes[scopes.length - 1]!;
    if (ref === ".") return scope.kind === "values" ? scope.path : undefined;
    if (!/^\.[A-Za-z_]/.test(ref) || scope.kind !== "values") return undefined;
    return [scope.path, ref.slice(1)].filter(Boolean).join(".");
  };
  for (const m of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)) {
    const action = m[1]!;
    const scope = scopes[scopes.length - 1]!;
    if (scope.kind === "items") {
      const keys = chart.itemKeys.get(scope.path) ?? new Set<string>();
      for (const r of action.matchAll(RELATIVE)) if (!BUILTINS.has(r[1]!)) keys.add(r[1]!);
      chart.itemKeys.set(scope.path, keys);
    }
    if (/\btoYaml\b/.test(action)) {
      const refs = [...action.matchAll(/(\$?\w*\.Values(?:\.[A-Za-z0-9_]+)+|(?<![\w$)\]])\.(?=[\s|)]|$))/g)].map((r) => resolve(r[1]!));
      for (const r of refs) if (r) chart.passThrough.add(r);
    }
    for (const r of action.matchAll(/required\s+"([^"]*)"\s+(\$?\w*\.Values(?:\.[A-Za-z0-9_]+)+|\.[A-Za-z0-9_.]+)/g)) {
      const path = resolve(r[2]!);
      if (!path) continue;
      chart.required.set(path, r[1]!);
      if (file.startsWith("secret-") || defines.includes("mastodon.env.secrets")) chart.credentials.add(path);
    }
    const opener = /^(with|if|range|define|block)\b\s*(.*)$/s.exec(action);
    if (opener) {
      const [, verb, arg] = opener as unknown as [string, string, string];
      const target = resolve(arg.trim());
      defines.push(verb === "define" ? /"([^"]+)"/.exec(arg)?.[1] : undefined);
      if (verb === "if") scopes.push(scope);
      else if (verb === "with" && target !== undefined) scopes.push({ kind: "values", path: target });
      else if (verb === "range" && target !== undefined && !arg.includes(":=")) scopes.push({ kind: "items", path: target });
      else scopes.push({ kind: "other" });
    } else if (/^end\b/.test(action)) {
      scopes.pop();
      defines.pop();
    }
  }
}

export function loadChart(dir = CHART_DIR): Chart {
  const values = parse(readFileSync(join(dir, "values.yaml"), "utf8")) as Tree;
  const chart: Chart = { values, readPaths: new Set(), required: new Map(), credentials: new Set(), itemKeys: new Map(), passThrough: new Set() };
  for (const f of readdirSync(join(dir, "templates")).sort()) {
    const text = readFileSync(join(dir, "templates", f), "utf8");
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z0-9_]+)+)/g)) chart.readPaths.add(m[1]!.slice(1));
    readTemplate(f, text, chart);
  }
  return chart;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Where `given` steps outside what the chart declares: one message per offending path. */
export function contractViolations(chart: Chart, given: unknown): string[] {
  const out: string[] = [];
  // `path` names the place for messages (with indices), `key` the values path the templates use.
  const walk = (declared: unknown, value: unknown, path: string, key: string) => {
    if (chart.passThrough.has(key)) return;
    if (Array.isArray(value)) {
      if (!Array.isArray(declared)) {
        if (declared !== null && declared !== undefined && !isMap(declared)) out.push(`${path}: the chart declares a scalar, got a list`);
        return;
      }
      // Items follow the example item's keys and the keys the templates read from each item; a
      // list with neither (an empty list in values.yaml, never ranged over) is free-form.
      const example = declared.find(isMap) ?? {};
      const read = chart.itemKeys.get(key) ?? new Set<string>();
      if (Object.keys(example).length === 0 && read.size === 0) return;
      value.forEach((item, i) => {
        if (!isMap(item)) return;
        for (const [k, v] of Object.entries(item)) {
          if (k in example) walk(example[k], v, `${path}[${i}].${k}`, `${key}[].${k}`);
          else if (!read.has(k)) out.push(`${path}[${i}].${k}: not a value of the chart (misspelled? its items have ${[...new Set([...Object.keys(example), ...read])].sort().join(", ")})`);
        }
      });
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
      const q = key ? `${key}.${k}` : k;
      if (k in declared) walk(declared[k], v, p, q);
      else if (!chart.readPaths.has(q) && ![...chart.readPaths].some((r) => r.startsWith(`${q}.`))) out.push(`${p}: not a value of the chart (misspelled? values.yaml has ${Object.keys(declared).sort().join(", ")})`);
    }
  };
  walk(chart.values, given, "", "");
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
 * a required value must be set unless its feature is off (an enclosing `enabled: false`) or it
 * is a credential of one of the chart's own Secrets and an enclosing `existingSecret` is set
 * (the chart then renders no Secret of its own; the read replica's follows postgresql's).
 */
export function requiredViolations(chart: Chart, given: unknown): string[] {
  const merged = mergeValues(chart.values, given);
  const out: string[] = [];
  for (const [path, message] of [...chart.required].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = path.split(".");
    if (!empty(at(merged, parts))) continue;
    const ancestors = parts.map((_, i) => parts.slice(0, i));
    if (ancestors.some((a) => at(merged, [...a, "enabled"]) === false)) continue;
    if (chart.credentials.has(path) && ancestors.some((a) => !empty(at(merged, [...a, "existingSecret"])))) continue;
    out.push(`${path}: required by the chart ("${message}")`);
  }
  return out;
}
