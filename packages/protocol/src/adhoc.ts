/**
 * Ad-hoc runs (issue 17 §1): a script typed by an operator, run at PCs as an execution like any other, and
 * recorded with the execution so it can be promoted to a job. SPEC §4 Command fields are filled from it.
 */
import * as z from "zod";
import { execRequestSchema } from "./api.js";
import { boundedDuration } from "./duration.js";
import { ADHOC_JOB_ID, JOB_ID_RE, SEMVER_RE } from "./ids.js";
import { byteLength } from "./manifest-size.js";
import { SHELLS, runAsSchema } from "./messages.js";

/** The version every ad-hoc command carries (there is no catalog entry to pin). */
export const ADHOC_VERSION = "0.0.0";
/** Default kill timer of an ad-hoc run. */
export const ADHOC_DEFAULT_TIMEOUT = "60s";
/** An ad-hoc script is stored with its execution and sent inline: keep it well below a NATS message. */
export const MAX_ADHOC_SCRIPT_BYTES = 256 * 1024;

/** `POST /api/run`: the target (as for an exec) plus the script to run. */
export const runRequestSchema = execRequestSchema
  .extend({
    shell: z.enum(SHELLS, { error: `expected one of ${SHELLS.join(", ")}` }).default("powershell"),
    script: z
      .string({ error: "required" })
      .refine((s) => s.trim() !== "", "must not be empty")
      .refine((s) => byteLength(s) <= MAX_ADHOC_SCRIPT_BYTES, `must be at most ${MAX_ADHOC_SCRIPT_BYTES / 1024} KiB`),
    timeout: boundedDuration("30s, 5m, 1h").default(ADHOC_DEFAULT_TIMEOUT),
    run_as: runAsSchema.optional(),
    cwd: z.string().min(1).optional(),
  })
  .strict();
export type RunRequest = z.input<typeof runRequestSchema>;
export type ParsedRunRequest = z.output<typeof runRequestSchema>;

/** `POST /api/executions/{exec_id}/job`: promote an ad-hoc run to a job manifest. */
export const promoteRunSchema = z
  .object({
    id: z
      .string({ error: "required" })
      .regex(JOB_ID_RE, "expected a job id like cleanup-disk-temp")
      .refine((id) => id !== ADHOC_JOB_ID, `"${ADHOC_JOB_ID}" is reserved for ad-hoc runs`),
    version: z.string({ error: "required" }).regex(SEMVER_RE, "expected a semver version like 1.0.0"),
    description: z.string().optional(),
  })
  .strict();
export type PromoteRun = z.infer<typeof promoteRunSchema>;

/** What an ad-hoc execution recorded: the script exactly as submitted, and how it ran. */
export const adhocScriptSchema = z.object({
  exec_id: z.string(),
  shell: z.enum(SHELLS),
  script: z.string(),
  timeout: z.string(),
  run_as: runAsSchema,
  cwd: z.string().optional(),
  created_by: z.string(),
  created_at: z.string(),
});
export type AdhocScript = z.infer<typeof adhocScriptSchema>;
