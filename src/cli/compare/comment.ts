// The whole pull-request comment: a hidden marker the workflow finds it by, what was compared,
// data at risk across every stack first, then each affected stack's section. GitHub refuses a
// comment over 65,536 characters, so the comment sheds detail until it fits — patches cut short,
// then file names only, then no per-file lines — and never the cost, capacity or data warnings.
import { fenceFor, headMarkdown, renderDiffMarkdown, type Detail } from "./markdown";
import type { StackDiff } from "./stack-diff";

export const COMMENT_MARKER = "<!-- mastodon-stack:preview -->";
/** GitHub's limit on an issue or pull-request comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface StackOutcome {
  stack: string;
  /** The stack file at the change (or at the base, for a deleted one). */
  file: string;
  /** Said under the heading: a new, deleted or renamed file, a base that did not plan. */
  notes: string[];
  diff?: StackDiff;
  /** The change does not plan: the located refusal, as the CLI prints it. */
  refused?: string;
}

export interface CommentContext {
  base: string;
  head: string;
  /** Why these stacks: the changed paths that made them affected. */
  reason: string;
}

const DETAILS: readonly Detail[] = ["full", "short", "lists", "summary"];

/** One stack's section of the comment (and its diff.md, in full). */
export function stackSection(o: StackOutcome, detail: Detail | "head" = "full"): string {
  const title = `${o.stack} (\`${o.file}\`)`;
  const notes = o.notes.map((n) => `_${n}_`);
  if (o.refused !== undefined) {
    const fence = fenceFor(o.refused);
    return [`## ${title}`, "", ...notes, ...(notes.length ? [""] : []), "> [!CAUTION]", "> **The change does not plan**; `pulumi up` would stop before creating anything:", "", `${fence}text`, o.refused.trimEnd(), fence, ""].join("\n");
  }
  if (!o.diff) return [`## ${title}`, "", ...notes, ""].join("\n");
  const body = detail === "head" ? `${headMarkdown(o.diff, title).join("\n").trimEnd()}\n` : renderDiffMarkdown(o.diff, detail, title);
  if (!notes.length) return body;
  const [heading, ...rest] = body.split("\n");
  return [heading, "", ...notes, ...rest].join("\n");
}

function render(outcomes: readonly StackOutcome[], ctx: CommentContext, detail: Detail | "head"): string {
  const risks = outcomes.flatMap((o) => (o.diff?.resources.risks.length ? [o.stack] : []));
  const refused = outcomes.filter((o) => o.refused !== undefined).map((o) => o.stack);
  const lines = [COMMENT_MARKER, "# Mastodon stack preview", "", `Compared \`${ctx.base}\` (base) with \`${ctx.head}\` (this change): ${ctx.reason}.`, ""];
  if (risks.length) lines.push("> [!CAUTION]", `> **This change deletes or replaces data** in ${risks.map((s) => `\`${s}\``).join(", ")}: read the warning at the top of ${risks.length === 1 ? "its section" : "each section"} before merging.`, "");
  if (refused.length) lines.push("> [!CAUTION]", `> **Does not plan:** ${refused.map((s) => `\`${s}\``).join(", ")}.`, "");
  if (outcomes.length === 0) lines.push("No stack is affected: the change touches neither a stack file nor what renders them.", "");
  const trimmed = detail === "full" ? [] : [`_Shortened to fit GitHub's comment limit (${detail === "head" ? "only cost, capacity and data warnings" : detail === "summary" ? "no per-file lines" : detail === "lists" ? "file names without patches" : `patches cut to their first lines`}); the full diff of each stack is \`diff.md\` in the workflow run's artifact._`, ""];
  return `${[...lines, ...trimmed, ...outcomes.map((o) => stackSection(o, detail))].join("\n").trimEnd()}\n`;
}

/** The comment at the most detail that fits within `limit` characters. */
export function renderComment(outcomes: readonly StackOutcome[], ctx: CommentContext, limit = GITHUB_COMMENT_LIMIT): { markdown: string; detail: Detail | "head" } {
  for (const detail of DETAILS) {
    const markdown = render(outcomes, ctx, detail);
    if (markdown.length <= limit) return { markdown, detail };
  }
  return { markdown: render(outcomes, ctx, "head"), detail: "head" };
}
