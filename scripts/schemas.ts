/** `npm run schemas`: writes schemas/<name>.json from the zod schemas (a test fails when they are stale). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { JSON_SCHEMA_NAMES, jsonSchemaFileText } from "@kanade/protocol";

const dir = fileURLToPath(new URL("../schemas/", import.meta.url));
for (const name of JSON_SCHEMA_NAMES) {
  const path = `${dir}${name}.json`;
  writeFileSync(path, jsonSchemaFileText(name));
  process.stdout.write(`wrote ${path}\n`);
}
