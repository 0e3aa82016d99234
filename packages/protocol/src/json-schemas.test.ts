import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_NAMES, jsonSchema, jsonSchemaFileText } from "./json-schemas.js";

const repoFile = (name: string): string => readFileSync(new URL(`../../../schemas/${name}.json`, import.meta.url), "utf8");

describe("JSON Schemas for editors", () => {
  it("ships schemas/*.json exactly as generated from the zod types (run `npm run schemas` when this fails)", () => {
    for (const name of JSON_SCHEMA_NAMES) expect(repoFile(name), `schemas/${name}.json is stale`).toBe(jsonSchemaFileText(name));
  });

  it("describes the manifest an operator writes: required fields, shells, no unknown keys but x- anchors", () => {
    const m = jsonSchema("job-manifest", "https://kanade.example/");
    expect(m).toMatchObject({ $id: "https://kanade.example/schemas/job-manifest.json", required: ["id", "version", "execute"], additionalProperties: false });
    const execute = (m.properties as Record<string, { properties: Record<string, { enum?: string[] }>; required: string[] }>).execute!;
    expect(execute.properties.shell!.enum).toEqual(["powershell", "pwsh", "cmd", "sh", "bash"]);
    expect(execute.required).toEqual(["shell"]);
    expect(m.patternProperties).toEqual({ "^x-": {} });
    expect(jsonSchema("schedule")).toMatchObject({ type: "object", title: "kanade schedule" });
  });
});
