// Stack file → Spec. YAML is parsed keeping source positions so every problem points at a
// line; the shape is checked by zod, then the cross-field rules run on the defaulted spec.
import { readFileSync } from "node:fs";
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { z } from "zod";
import { closest } from "fastest-levenshtein";
import { checkRules, type Path } from "./rules";
import { Stack, type Spec } from "./schema/stack";
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
    throw new SpecError(
      doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0].line ?? 1,
        col: e.linePos?.[0].col ?? 1,
        path: "(yaml)",
        message: e.message.split("\n")[0] ?? e.message,
        fix: "fix the YAML syntax at this position",
      })),
    );
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
      // A value already refused for its text is not reported twice.
      if (textPaths.has(formatPath(path))) continue;
      const { message, fix } = describe(issue, valueAt(raw, path));
      issues.push({ file, ...at(locate(doc, path).node), path: formatPath(path), message, fix });
    }
    throw new SpecError(issues);
  }
  const ruleIssues = [...textProblems, ...checkRules(parsed.data).map(located)];
  if (ruleIssues.length > 0) throw new SpecError(ruleIssues);
  return parsed.data;
}

export function loadStack(file: string): Spec {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new SpecError([{ file, line: 1, col: 1, path: "(file)", message: `cannot read the stack file: ${(e as Error).message}`, fix: "check the path given with --stack" }]);
  }
  return parseStack(text, file);
}
