/**
 * JSON Schemas of the YAML documents operators write (issue 17 §5), generated from the zod schemas that
 * validate them on the server, so an editor (VS Code's YAML extension) checks manifests as they are typed
 * and the rules are written once. Refinements zod cannot express (one script source, reserved ids, duration
 * syntax) are still checked by the server and `kanade job validate`.
 */
import * as z from "zod";
import { manifestSchema } from "./manifest.js";
import { scheduleSchema } from "./schedule.js";
import { notificationManifestSchema } from "./notification-schema.js";

/** Where the schemas are published: the backend serves `/schemas/<name>.json`, the repo ships `schemas/<name>.json`. */
export const JSON_SCHEMA_NAMES = ["job-manifest", "schedule", "notification"] as const;
export type JsonSchemaName = (typeof JSON_SCHEMA_NAMES)[number];

export type JsonSchemaDocument = Record<string, unknown>;

const generate = (schema: z.ZodType): JsonSchemaDocument =>
  // `input`: what an operator writes (defaults are optional there). Unrepresentable parts become `{}`.
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaDocument;

/** The schema document for `name`, with a title, a description and its `$id` under `baseUrl` when given. */
export function jsonSchema(name: JsonSchemaName, baseUrl?: string): JsonSchemaDocument {
  const id = baseUrl === undefined ? {} : { $id: `${baseUrl.replace(/\/$/, "")}/schemas/${name}.json` };
  if (name === "job-manifest") {
    const doc = generate(manifestSchema);
    return {
      ...doc,
      ...id,
      title: "kanade job manifest",
      description: "A kanade job (kanade job create). Generated from the server's validation; see docs/reference/manifest.md.",
      // Top-level `x-…` keys hold YAML anchors shared between jobs; the parser drops them.
      patternProperties: { "^x-": {} },
    };
  }
  if (name === "notification") {
    return {
      ...generate(notificationManifestSchema),
      ...id,
      title: "kanade notification",
      description: "A notification to the people at the PCs (kanade notify create). Generated from the server's validation; see docs/reference/notifications.md.",
    };
  }
  return {
    ...generate(scheduleSchema),
    ...id,
    title: "kanade schedule",
    description: "A kanade schedule (kanade schedule create). Generated from the server's validation; see docs/operator/schedules.md.",
  };
}

export const isJsonSchemaName = (s: string): s is JsonSchemaName => (JSON_SCHEMA_NAMES as readonly string[]).includes(s);

/** The text of `schemas/<name>.json` in the repository, as `npm run schemas` writes it. */
export const jsonSchemaFileText = (name: JsonSchemaName): string => `${JSON.stringify(jsonSchema(name), null, 2)}\n`;
