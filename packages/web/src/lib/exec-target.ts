/** The Jobs page's target picker state, turned into an `ExecRequest` (or a reason it cannot be sent). */
import { execRequestSchema, type ExecRequest } from "@kanade/protocol";

export interface TargetChoice {
  mode: "pcs" | "groups" | "all";
  pcs: readonly string[];
  groups: readonly string[];
  jitter: string;
}

export type TargetResult = { ok: true; request: ExecRequest } | { ok: false; reason: "no_pcs" | "no_groups" | "invalid"; message?: string };

export function buildExecRequest(c: TargetChoice): TargetResult {
  const jitter = c.jitter.trim();
  let body: Record<string, unknown>;
  if (c.mode === "pcs") {
    if (c.pcs.length === 0) return { ok: false, reason: "no_pcs" };
    body = { pcs: [...c.pcs] };
  } else if (c.mode === "groups") {
    if (c.groups.length === 0) return { ok: false, reason: "no_groups" };
    body = { groups: [...c.groups] };
  } else {
    body = { all: true };
  }
  if (jitter) body.jitter = jitter;
  const r = execRequestSchema.safeParse(body);
  if (!r.success) return { ok: false, reason: "invalid", message: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  return { ok: true, request: r.data };
}
