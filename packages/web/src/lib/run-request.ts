/** The Run page's form (target, shell, timeout, script) turned into a `POST /api/run` body, or why it cannot be sent. */
import { runRequestSchema, type RunRequest, type Shell } from "@kanade/protocol";
import { buildExecRequest, type TargetChoice } from "./exec-target.js";

export interface RunForm {
  target: TargetChoice;
  shell: Shell;
  timeout: string;
  script: string;
}

export type RunFormResult = { ok: true; request: RunRequest } | { ok: false; reason: "no_pcs" | "no_groups" | "no_script" | "invalid"; message?: string };

export function buildRunRequest(f: RunForm): RunFormResult {
  const target = buildExecRequest(f.target);
  if (!target.ok) return target;
  if (f.script.trim() === "") return { ok: false, reason: "no_script" };
  const timeout = f.timeout.trim();
  // The script goes as typed: no trimming, so what runs is what the operator sees.
  const body: RunRequest = { ...target.request, shell: f.shell, script: f.script, ...(timeout ? { timeout } : {}) };
  const r = runRequestSchema.safeParse(body);
  if (!r.success) return { ok: false, reason: "invalid", message: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  return { ok: true, request: body };
}
