/** Job manifest (SPEC §5): parse YAML, validate, and report every problem with its path. */
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { boundedDuration, parseDurationSecs } from "./duration.js";
import { JOB_ID_RE, SEMVER_RE } from "./ids.js";
import { SHELLS, runAsSchema, stalenessSchema } from "./messages.js";

// execute.timeout becomes the agent's kill timer: capped at 24d (see MAX_TIMER_MS).
const durationText = boundedDuration();
const column = z.object({ field: z.string().min(1), label: z.string().min(1) });

export const DEFAULT_TIMEOUT = "600s";

export const manifestSchema = z
  .object({
    id: z.string({ error: "required" }).regex(JOB_ID_RE, "expected a job id like cleanup-disk-temp (lowercase letters, digits, . _ -)"),
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
    staleness: stalenessSchema.default({ mode: "cached" }),
    inventory: z
      .object({ display: z.array(column).optional(), summary: z.array(column).optional() })
      .optional(),
    client: z.object({ user_invokable: z.boolean().optional() }).strict().optional(),
  })
  // A misspelt key (`timout:`) must not silently fall back to a default.
  .strict()
  .superRefine((m, ctx) => {
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
    const secs = parseDurationSecs(ex.timeout);
    if (secs !== undefined && secs <= 0) {
      ctx.addIssue({ code: "custom", path: ["execute", "timeout"], message: "must be longer than 0s" });
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;

export interface ManifestIssue {
  /** Dotted path of the bad field, e.g. `execute.timeout`; empty for the document itself. */
  path: string;
  message: string;
}

export type ManifestParse =
  | { ok: true; manifest: Manifest }
  | { ok: false; issues: ManifestIssue[] };

/** Validates an already-parsed manifest object (JSON body or YAML document). */
export function validateManifest(input: unknown): ManifestParse {
  const r = manifestSchema.safeParse(input);
  if (r.success) return { ok: true, manifest: r.data };
  return { ok: false, issues: r.error.issues.map(toIssue) };
}

/** Parses YAML text and validates it. YAML syntax errors are reported with their line. */
export function parseManifestYaml(text: string): ManifestParse {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0]?.line;
      return { ok: false, issues: [{ path: "", message: `YAML syntax error${line ? ` at line ${line}` : ""}: ${err.message.split("\n")[0]}` }] };
    }
    throw err;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: "", message: "expected a YAML mapping with id, version and execute" }] };
  }
  return validateManifest(doc);
}

/** `execute.timeout: expected a duration like 30s` — one line per issue. */
export function formatIssues(issues: readonly ManifestIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("\n");
}

function toIssue(issue: z.core.$ZodIssue): ManifestIssue {
  const path = issue.path.map(String).join(".");
  let message = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) {
    message = `expected one of ${issue.values.map(String).join(", ")}`;
  } else if (issue.code === "unrecognized_keys") {
    message = `unknown field(s): ${issue.keys.join(", ")}`;
  } else if (issue.code === "invalid_type" && /received undefined/.test(message)) {
    message = "required";
  }
  return { path, message };
}

/** Timeout of a manifest in whole seconds. */
export function manifestTimeoutSecs(m: Manifest): number {
  return parseDurationSecs(m.execute.timeout) ?? parseDurationSecs(DEFAULT_TIMEOUT)!;
}
