/** Turns `kanade exec` flags into an ExecRequest, refusing bad input before anything is sent. */
import { execRequestSchema, type ErrorDetail, type ExecRequest } from "@kanade/protocol";
import { badInput } from "./errors.js";

export interface TargetFlags {
  pcs?: string[];
  groups?: string[];
  all?: boolean;
  jitter?: string;
  deadline?: string;
  duringFreeze?: boolean;
}

/** `--pcs a --pcs b`, `--pcs a b` and `--pcs a,b` all mean [a, b]; order kept, repeats dropped. */
export function splitList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    for (const part of v.split(",")) {
      const t = part.trim();
      if (t !== "" && !out.includes(t)) out.push(t);
    }
  }
  return out;
}

const FLAG_OF: Record<string, string> = { pcs: "--pcs", groups: "--groups", all: "--all", jitter: "--jitter", deadline_at: "--deadline" };

export function buildExecRequest(flags: TargetFlags): ExecRequest {
  const pcs = splitList(flags.pcs);
  const groups = splitList(flags.groups);
  if (pcs.length === 0 && groups.length === 0 && flags.all !== true) {
    throw badInput("no target: give --pcs <pc>…, --groups <g>… or --all");
  }
  const req: ExecRequest = {
    ...(pcs.length > 0 ? { pcs } : {}),
    ...(groups.length > 0 ? { groups } : {}),
    ...(flags.all === true ? { all: true } : {}),
    ...(flags.jitter !== undefined ? { jitter: flags.jitter } : {}),
    ...(flags.deadline !== undefined ? { deadline_at: flags.deadline } : {}),
    ...(flags.duringFreeze === true ? { during_freeze: true } : {}),
  };
  const parsed = execRequestSchema.safeParse(req);
  if (parsed.success) return parsed.data;
  const details: ErrorDetail[] = parsed.error.issues.map((issue) => {
    const [field, index] = issue.path;
    const flag = FLAG_OF[String(field)] ?? String(field);
    const list = field === "pcs" ? pcs : field === "groups" ? groups : undefined;
    const got = list && typeof index === "number" ? ` (got "${list[index]}")` : "";
    const message = field === "deadline_at" ? "expected an RFC 3339 time like 2026-01-31T18:00:00Z" : issue.message;
    return { path: flag, message: message + got };
  });
  throw badInput("invalid exec arguments", details);
}
