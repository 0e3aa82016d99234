/** Job manifest (SPEC §5): parse YAML, validate, and report every problem with its path. */
import * as z from "zod";
import { boundedDuration, parseDurationSecs } from "./duration.js";
import { ADHOC_JOB_ID, JOB_ID_RE, SEMVER_RE } from "./ids.js";
import { issueFromZod, type ManifestIssue } from "./manifest-issue.js";
import { byteLength, manifestBodySizeIssue, manifestValueSizeIssue } from "./manifest-size.js";
import { readYaml } from "./manifest-yaml.js";
import { SHELLS, runAsSchema, stalenessSchema } from "./messages.js";
import { CHECK_PASS_IF } from "./compliance.js";
import { approvalPolicySchema } from "./perm-groups.js";

export { formatIssues, issueFromZod, type ManifestIssue } from "./manifest-issue.js";
export { MAX_MANIFEST_BYTES, manifestBodySizeIssue } from "./manifest-size.js";
export { MAX_YAML_ALIASES, MAX_YAML_BLOCK_COLUMNS, MAX_YAML_FLOW_DEPTH } from "./manifest-yaml.js";

// execute.timeout becomes the agent's kill timer: capped at 24d (see MAX_TIMER_MS).
const durationText = boundedDuration();
const column = z.object({ field: z.string().min(1), label: z.string().min(1) });

export const DEFAULT_TIMEOUT = "600s";

export const manifestSchema = z
  .object({
    id: z
      .string({ error: "required" })
      .regex(JOB_ID_RE, "expected a job id like cleanup-disk-temp (at most 64 lowercase letters, digits, _ -, and dots between parts)"),
    version: z
      .string({
        error: (iss) =>
          iss.input === undefined ? "required" : "expected a semver version like 1.0.0 (quote it: version: \"1.0.0\")",
      })
      .regex(SEMVER_RE, "expected a semver version like 1.0.0"),
    description: z.string().optional(),
    execute: z.object(
      {
        shell: z.enum(SHELLS, { error: `expected one of ${SHELLS.join(", ")}` }),
        script: z.string().optional(),
        script_file: z.string().optional(),
        script_object: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9.+_-]*$/, "expected <name>/<version>")
          .optional(),
        timeout: durationText.default(DEFAULT_TIMEOUT),
        run_as: runAsSchema.default("system"),
        cwd: z.string().optional(),
      },
      { error: "required" },
    ).strict(),
    require_approval: z.boolean().default(false),
    // Who may approve: members of one permission group (the backend checks that it exists when the job is stored).
    approval: approvalPolicySchema.optional(),
    staleness: stalenessSchema.default({ mode: "cached" }),
    inventory: z
      .object({ display: z.array(column).optional(), summary: z.array(column).optional() })
      .optional(),
    client: z.object({ user_invokable: z.boolean().optional() }).strict().optional(),
    // A compliance check: each run's result becomes the PC's pass / fail / unknown (see compliance.ts).
    check: z
      .object({
        pass_if: z.enum(CHECK_PASS_IF, { error: `expected one of ${CHECK_PASS_IF.join(", ")}` }),
        webhook: z
          .string()
          .refine((u) => /^https?:\/\/[^\s]+$/.test(u) && URL.canParse(u), "expected an http(s) URL")
          .optional(),
      })
      .strict()
      .optional(),
  })
  // A misspelt key (`timout:`) must not silently fall back to a default.
  .strict()
  .superRefine((m, ctx) => {
    if (m.id === ADHOC_JOB_ID) {
      ctx.addIssue({ code: "custom", path: ["id"], message: `"${ADHOC_JOB_ID}" is reserved for ad-hoc runs (kanade run); choose another id` });
    }
    const ex = m.execute;
    const sources = (["script", "script_file", "script_object"] as const).filter((k) => {
      const v = ex[k];
      return v !== undefined && v.trim() !== "";
    });
    if (sources.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["execute"],
        message: "exactly one of script, script_file, script_object is required (an empty script counts as none)",
      });
    } else if (sources.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["execute"],
        message: `exactly one of script, script_file, script_object may be set; found ${sources.join(", ")}`,
      });
    }
    if (m.approval && !m.require_approval) {
      ctx.addIssue({ code: "custom", path: ["approval"], message: "approval.approver_group needs require_approval: true" });
    }
    const secs = parseDurationSecs(ex.timeout);
    if (secs !== undefined && secs <= 0) {
      ctx.addIssue({ code: "custom", path: ["execute", "timeout"], message: "must be longer than 0s" });
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;

export type ManifestParse =
  | { ok: true; manifest: Manifest }
  | { ok: false; issues: ManifestIssue[] };

/** Top-level `x-…` fields hold what the operator shares through anchors; they are not part of the job. */
const isExtensionKey = (key: string): boolean => key.startsWith("x-");

const fail = (issues: ManifestIssue[]): ManifestParse => ({ ok: false, issues });

/** Validates an already-parsed manifest object (JSON body or YAML document); never throws. */
export function validateManifest(input: unknown): ManifestParse {
  const doc = withoutExtensionFields(input);
  const tooBig = manifestValueSizeIssue(doc);
  if (tooBig) return fail([tooBig]);
  const r = manifestSchema.safeParse(doc);
  if (!r.success) return fail(r.error.issues.map(issueFromZod));
  // Defaults are added by the schema: check what will be stored, too.
  const stored = manifestValueSizeIssue(r.data);
  return stored ? fail([stored]) : { ok: true, manifest: r.data };
}

/**
 * Parses YAML text and validates it; never throws. YAML syntax errors are reported with their line.
 * `<<` merge keys work; the text (MAX_MANIFEST_BYTES), aliases and nesting are capped (manifest-yaml.ts).
 */
export function parseManifestYaml(text: string): ManifestParse {
  const tooBig = manifestBodySizeIssue(byteLength(text), text);
  if (tooBig) return fail([tooBig]);
  const read = readYaml(text);
  if (!read.ok) return fail([read.issue]);
  const doc = read.value;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return fail([{ path: "", message: "expected a YAML mapping with id, version and execute" }]);
  }
  return validateManifest(doc);
}

/** The document without its top-level `x-…` fields; anything else is returned as it is. */
function withoutExtensionFields(input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([k]) => !isExtensionKey(k)));
}

/** Timeout of a manifest in whole seconds. */
export function manifestTimeoutSecs(m: Manifest): number {
  return parseDurationSecs(m.execute.timeout) ?? parseDurationSecs(DEFAULT_TIMEOUT)!;
}
