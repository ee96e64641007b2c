// The JSON Schema editors use (yaml-language-server), generated from the zod schema so the
// two can never disagree. `npm run schema` writes it; a test fails when the file is stale.
import { z } from "zod";
import { Stack } from "./schema/stack";

export const SCHEMA_PATH = "schema/stack.schema.json";

export function stackJsonSchema(): string {
  const schema = z.toJSONSchema(Stack, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: "mastodon-stack stack file" }, null, 2)}\n`;
}
