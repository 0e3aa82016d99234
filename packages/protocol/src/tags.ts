/** Operator-set tags per PC (KV `agent_tags`, pc_id → `{"tags":{k:v}}`) and dynamic group definitions. */
import * as z from "zod";
import { parseGroupQuery, QueryParseError, QUERY_MAX_LENGTH } from "./group-query.js";

export const TAG_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** Letters of any script, digits, space and `_ . : / @ + -`; no `=` (the CLI splits on it), no control characters. */
export const TAG_VALUE_RE = /^[\p{L}\p{N}_.:/@+\- ]{1,128}$/u;
export const MAX_TAGS_PER_PC = 64;

/** Why a tag key is refused, or undefined when it is fine. */
export function tagKeyProblem(key: string): string | undefined {
  return TAG_KEY_RE.test(key) ? undefined : `tag key "${key}" must be 1-63 letters, digits, _ . - starting with a letter or digit`;
}
/** Why a tag value is refused, or undefined when it is fine. */
export function tagValueProblem(key: string, value: string): string | undefined {
  return TAG_VALUE_RE.test(value) && value.trim() === value
    ? undefined
    : `tag ${key}="${value}": the value must be 1-128 letters, digits, spaces or _ . : / @ + - (no leading or trailing space)`;
}

const tagRecord = z.record(z.string(), z.string()).superRefine((tags, ctx) => {
  for (const [k, v] of Object.entries(tags)) {
    const problem = tagKeyProblem(k) ?? tagValueProblem(k, v);
    if (problem) ctx.addIssue({ code: "custom", path: [k], message: problem });
  }
});

/** The KV value. */
export const agentTagsSchema = z.object({ tags: tagRecord });
export type AgentTagsValue = z.infer<typeof agentTagsSchema>;

/** `GET /api/agents/{pc}/tags` and the answer to a change: `revision` is the KV revision (0 = never tagged). */
export const agentTagsViewSchema = z.object({ pc_id: z.string(), tags: z.record(z.string(), z.string()), revision: z.number().int().nonnegative() });
export type AgentTagsView = z.infer<typeof agentTagsViewSchema>;

/**
 * `PATCH /api/agents/{pc}/tags`: set and remove keys. With `expected_revision` the change applies only if the
 * tags are still at that revision (else 409 CONFLICT); without it the backend applies it to whatever is there.
 */
export const tagChangeSchema = z
  .object({
    set: tagRecord.default({}),
    remove: z
      .array(z.string())
      .default([])
      .superRefine((keys, ctx) => {
        keys.forEach((k, i) => {
          const p = tagKeyProblem(k);
          if (p) ctx.addIssue({ code: "custom", path: [i], message: p });
        });
      }),
    expected_revision: z.number().int().nonnegative().optional(),
  })
  .strict();
export type TagChange = z.infer<typeof tagChangeSchema>;

/** `POST /api/tags`: one change on many PCs (each PC's tags compare-and-set on its own). */
export const bulkTagChangeSchema = z
  .object({
    pcs: z.array(z.string().min(1)).min(1, "expected at least one pc_id").max(100_000),
    set: tagRecord.default({}),
    remove: z.array(z.string()).default([]),
  })
  .strict();
export type BulkTagChange = z.infer<typeof bulkTagChangeSchema>;
export const bulkTagResultSchema = z.object({ changed: z.number().int(), unchanged: z.number().int() });

/** A query that parses; a bad one is refused naming the column and token (`query: column 7: …`). */
export const groupQuerySchema = z
  .string()
  .max(QUERY_MAX_LENGTH)
  .superRefine((q, ctx) => {
    try {
      parseGroupQuery(q);
    } catch (err) {
      if (!(err instanceof QueryParseError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message });
    }
  });

/** `PUT /api/groups/{g}`: make `g` a dynamic group. */
export const groupDefineSchema = z.object({ query: groupQuerySchema, description: z.string().max(500).optional() }).strict();
export type GroupDefine = z.infer<typeof groupDefineSchema>;
/** `POST /api/group-preview` */
export const groupPreviewSchema = z.object({ query: groupQuerySchema }).strict();

export const groupDefinitionSchema = z.object({
  name: z.string(),
  query: z.string(),
  description: z.string().nullable(),
  updated_by: z.string().nullable(),
  updated_at: z.string(),
});
export type GroupDefinition = z.infer<typeof groupDefinitionSchema>;

/** `GET /api/groups/{g}`: static and dynamic members apart, and the definition when it is dynamic. */
export const groupDetailSchema = z.object({
  name: z.string(),
  definition: groupDefinitionSchema.nullable(),
  /** Every member (static ∪ dynamic), as in `agent_groups`. */
  members: z.array(z.string()),
  static_members: z.array(z.string()),
  dynamic_members: z.array(z.string()),
});
export type GroupDetail = z.infer<typeof groupDetailSchema>;

export const groupPreviewResultSchema = z.object({ query: z.string(), count: z.number().int(), pcs: z.array(z.string()) });
export type GroupPreviewResult = z.infer<typeof groupPreviewResultSchema>;
export const groupUndefinedSchema = z.object({ name: z.string(), undefined: z.literal(true) });
