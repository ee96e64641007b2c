// Stack file → Spec. YAML is parsed keeping source positions so every problem points at a
// line; the shape is checked by zod, then the cross-field rules run on the defaulted spec.
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { z } from "zod";
import { closest } from "fastest-levenshtein";
import { checkRules, type Path } from "./rules";
import { Stack, type Spec } from "./schema/stack";
import { readStackFile } from "./read";
import { RETIRED } from "./retired";
import { rulesDespiteShape } from "./second-pass";
import { textIssues } from "./text";
import { formatPath, SpecError, type SpecIssue } from "./errors";

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; $ref?: string };

let jsonSchema: JsonSchema | undefined;
function knownKeysAt(path: Path): string[] {
  jsonSchema ??= z.toJSONSchema(Stack, { io: "input", unrepresentable: "any" }) as JsonSchema;
  let nodes: JsonSchema[] = [jsonSchema];
  const expand = (s: JsonSchema): JsonSchema[] => [s, ...(s.anyOf ?? []).flatMap(expand), ...(s.oneOf ?? []).flatMap(expand)];
  for (const part of path) {
    nodes = nodes.flatMap(expand).flatMap((s) => {
      const next = typeof part === "number" ? s.items : s.properties?.[part];
      return next ? [next] : [];
    });
  }
  return [...new Set(nodes.flatMap(expand).flatMap((s) => Object.keys(s.properties ?? {})))];
}

interface Located {
  node: Node | null;
  exact: boolean;
}

function locate(doc: Document, path: Path, key?: string): Located {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : (doc.getIn(path.slice(0, n), true) as Node | undefined);
    if (node === undefined || node === null) continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key)) return { node: pair.key, exact: true };
    }
    return { node: node as Node, exact: n === path.length };
  }
  return { node: null, exact: false };
}

function describe(issue: z.core.$ZodIssue, received: unknown): { message: string; fix: string } {
  const plain = issue.message.replace(/^Invalid input: /, "");
  switch (issue.code) {
    case "invalid_type":
      if (received === undefined) return { message: `is required (${plain})`, fix: `add ${String(issue.path.at(-1) ?? "it")}` };
      return { message: plain, fix: `write a ${issue.expected}` };
    case "invalid_value":
      return { message: `${JSON.stringify(received)} is not allowed`, fix: `use one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` };
    case "too_small":
    case "too_big":
      return { message: plain, fix: "change the value to fit that limit" };
    case "invalid_format":
      return { message: plain, fix: "correct the value's format" };
    case "invalid_union":
      return { message: plain, fix: "use one of the forms shown in the stack file reference (README)" };
    default:
      return { message: plain, fix: "" };
  }
}

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

function retiredBeside(issues: readonly z.core.$ZodIssue[], path: Path): boolean {
  const parent = formatPath(path.slice(0, -1));
  return issues.some((i) => i.code === "unrecognized_keys" && formatPath(i.path.filter((p): p is string | number => typeof p !== "symbol")) === parent && i.keys.some((k) => RETIRED[`${parent}.${k}`]));
}

/** Parses and validates a stack file's text. Throws SpecError with every problem found. */
export function parseStack(text: string, file: string): Spec {
  const lineCounter = new LineCounter();
  // Duplicate keys are found below so the error points at the second key, not the map.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (node: Node | null): { line: number; col: number } => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    return { line: pos.line, col: pos.col };
  };
  if (doc.errors.length > 0) {
    // Only the first: the parser's later errors are mostly that one mistake seen again from
    // further on (a tab in an indent reads as a key, then a bad indent, then a missing value).
    // Positions come from the line counter: without prettyErrors the errors carry only offsets.
    const first = doc.errors[0]!;
    const more = doc.errors.length - 1;
    throw new SpecError([
      {
        file,
        ...lineCounter.linePos(first.pos[0]),
        path: "(yaml)",
        message: `${first.message.split("\n")[0] ?? first.message}${more > 0 ? ` (${more} further YAML error${more === 1 ? "" : "s"} after it not shown: fix this one first)` : ""}`,
        fix: first.code === "TAB_AS_INDENT" ? "indent with spaces: YAML does not allow tabs in indentation" : "fix the YAML syntax at this position",
      },
    ]);
  }
  const duplicates: SpecIssue[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          duplicates.push({ file, ...at(pair.key), path: "(yaml)", message: `key "${String(pair.key.value)}" appears twice in the same mapping`, fix: "remove one of the duplicate keys" });
        }
        seen.add(pair.key.value);
      }
    },
  });
  if (duplicates.length > 0) throw new SpecError(duplicates);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Unresolved or exponential aliases only surface when the document is turned into data.
    throw new SpecError([{ file, line: 1, col: 1, path: "(yaml)", message: (e as Error).message, fix: "define each &anchor before its *alias, and avoid nested alias expansion" }]);
  }
  const parsed = Stack.safeParse(raw);
  const located = (r: { path: Path; message: string; fix: string }): SpecIssue => ({ file, ...at(locate(doc, r.path).node), path: formatPath(r.path), message: r.message, fix: r.fix });
  const textProblems = textIssues(raw).map(located);
  if (!parsed.success) {
    const issues: SpecIssue[] = [...textProblems];
    const textPaths = new Set(textProblems.map((t) => t.path));
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
      if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(path);
        for (const key of issue.keys) {
          const retired = RETIRED[formatPath([...path, key])];
          if (retired) {
            issues.push({ file, ...at(locate(doc, path, key).node), path: formatPath([...path, key]), ...retired });
            continue;
          }
          const near = known.length ? closest(key, known) : undefined;
          issues.push({
            file,
            ...at(locate(doc, path, key).node),
            path: formatPath([...path, key]),
            message: `unknown key "${key}"${near ? ` (did you mean ${near}?)` : ""}`,
            fix: known.length ? `remove it or use one of: ${known.join(", ")}` : "remove it",
          });
        }
        continue;
      }
      // A value already refused for its text is not reported twice, nor a key missing beside a
      // retired one (its message already says what to write instead).
      if (textPaths.has(formatPath(path))) continue;
      if (retiredBeside(parsed.error.issues, path)) continue;
      const { message, fix } = describe(issue, valueAt(raw, path));
      issues.push({ file, ...at(locate(doc, path).node), path: formatPath(path), message, fix });
    }
    // Rule problems elsewhere in the stack are reported in the same run, not after a fix.
    issues.push(...rulesDespiteShape(raw, parsed.error.issues).map(located));
    throw new SpecError(issues);
  }
  const ruleIssues = [...textProblems, ...checkRules(parsed.data).map(located)];
  if (ruleIssues.length > 0) throw new SpecError(ruleIssues);
  return parsed.data;
}

export function loadStack(file: string): Spec {
  return parseStack(readStackFile(file), file);
}

/**
 * Problems found after the spec was accepted (the planner's capacity checks), located in the
 * stack file they came from: each path's line and column, as SpecError gives shape problems.
 */
export function locateInStack(file: string, problems: readonly { path: Path; message: string; fix: string }[]): SpecIssue[] {
  const text = readStackFile(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  return problems.map((p) => {
    const pos = lineCounter.linePos(locate(doc, p.path).node?.range?.[0] ?? 0);
    return { file, line: pos.line, col: pos.col, path: formatPath(p.path), message: p.message, fix: p.fix };
  });
}
