import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_PATH, stackJsonSchema } from "../src/spec/json-schema";

writeFileSync(join(__dirname, "..", SCHEMA_PATH), stackJsonSchema());
console.log(`wrote ${SCHEMA_PATH}`);
