/**
 * Compliance checks: a job with `check: {pass_if}` turns each run into a verdict for the PC — pass, fail or
 * unknown (the run gave no verdict: timed out, killed, skipped, or stdout was not what `pass_if` expects).
 * Pure, so the backend's views, the webhook and a replay all judge a result the same way.
 */
import * as z from "zod";

/** `exit_0`: exit code 0 passes, another exit code fails. `stdout_json`: stdout is `{"pass": bool, "detail"?: text}`. */
export const CHECK_PASS_IF = ["exit_0", "stdout_json"] as const;
export type CheckPassIf = (typeof CHECK_PASS_IF)[number];

export const VERDICTS = ["pass", "fail", "unknown"] as const;
export const verdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof verdictSchema>;

const DETAIL_CHARS = 300;
const clip = (text: string): string => {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS - 1)}…` : line;
};

export interface CheckedRun {
  status: string;
  exit_code: number | null;
  stdout: string;
  stderr: string;
}

export function checkVerdict(passIf: CheckPassIf, r: CheckedRun): { verdict: Verdict; detail: string } {
  if (r.status !== "succeeded" && r.status !== "failed") {
    return { verdict: "unknown", detail: `the run gave no verdict: ${r.status}${r.exit_code !== null ? ` (exit ${r.exit_code})` : ""}${r.stderr.trim() ? `: ${clip(r.stderr)}` : ""}` };
  }
  if (passIf === "exit_0") {
    const said = clip(r.stdout) || clip(r.stderr);
    return r.exit_code === 0 ? { verdict: "pass", detail: said } : { verdict: "fail", detail: said || `exit ${r.exit_code ?? "none"}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(r.stdout.trim());
  } catch {
    // Not JSON: no verdict, said plainly; the raw output stays in the result.
    return { verdict: "unknown", detail: `stdout is not JSON with a "pass" field: ${clip(r.stdout) || "(empty)"}` };
  }
  const parsed = z.object({ pass: z.boolean(), detail: z.string().optional() }).safeParse(value);
  if (!parsed.success) return { verdict: "unknown", detail: `stdout JSON has no boolean "pass": ${clip(r.stdout)}` };
  return { verdict: parsed.data.pass ? "pass" : "fail", detail: clip(parsed.data.detail ?? "") };
}

export const complianceCheckSchema = z.object({
  job_id: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  pass_if: z.enum(CHECK_PASS_IF),
  webhook: z.boolean(),
  /** PCs with at least one result of the check. */
  total: z.number().int(),
  pass: z.number().int(),
  fail: z.number().int(),
  unknown: z.number().int(),
  /** pass / total, or null before any result. */
  pass_rate: z.number().nullable(),
});
export type ComplianceCheck = z.infer<typeof complianceCheckSchema>;

export const complianceRowSchema = z.object({
  pc_id: z.string(),
  verdict: verdictSchema,
  detail: z.string(),
  /** When the PC entered its current verdict (the oldest result of the current streak). */
  since: z.string(),
  checked_at: z.string(),
  result_id: z.string(),
  version: z.string(),
});
export type ComplianceRow = z.infer<typeof complianceRowSchema>;

export const complianceDetailSchema = complianceCheckSchema.extend({ items: z.array(complianceRowSchema) });
export type ComplianceDetail = z.infer<typeof complianceDetailSchema>;

export const complianceHistoryEntrySchema = z.object({ result_id: z.string(), verdict: verdictSchema, detail: z.string(), checked_at: z.string(), version: z.string() });
export type ComplianceHistoryEntry = z.infer<typeof complianceHistoryEntrySchema>;

/** What a check's webhook receives (POST, JSON) when a PC fails it. */
export interface ComplianceWebhookBody {
  check: string;
  version: string;
  pc_id: string;
  verdict: "fail";
  detail: string;
  result_id: string;
  checked_at: string;
}
