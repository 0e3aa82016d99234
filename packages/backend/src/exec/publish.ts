/** Turns one exec request into Commands (one per target subject, sharing an exec_id) and publishes them to EXEC. */
import {
  manifestTimeoutSecs,
  parseDurationSecs,
  subjects,
  type Command,
  type ExecRequest,
  type Manifest,
} from "@kanade/protocol";
import { v7 as uuidv7 } from "uuid";
import type { Nats } from "../nats.js";
import { NATS_TIMEOUT_MS } from "../nats.js";

export interface ExecTarget {
  pcs?: string[];
  groups?: string[];
  all?: boolean;
}

/** The target as stored with the execution: only what was asked, deduplicated. */
export function normalizeTarget(req: ExecRequest): ExecTarget {
  const t: ExecTarget = {};
  if (req.pcs?.length) t.pcs = [...new Set(req.pcs)];
  if (req.groups?.length) t.groups = [...new Set(req.groups)];
  if (req.all) t.all = true;
  return t;
}

/** The subjects an exec is published on; also what a kill purges from EXEC. */
export function targetSubjects(t: ExecTarget): string[] {
  if (t.all) return [subjects.commandsAll()];
  return [...(t.pcs ?? []).map(subjects.commandsPc), ...(t.groups ?? []).map(subjects.commandsGroup)];
}

export interface CommandPlan {
  subject: string;
  command: Command;
}

export function planCommands(opts: {
  manifest: Manifest;
  execId: string;
  request: ExecRequest;
  target: ExecTarget;
  issuedAt: Date;
  issuedBy: string;
  /** Hex digest of the script object, so the agent can verify what it downloads. */
  scriptSha256?: string | undefined;
}): CommandPlan[] {
  const { manifest: m, request } = opts;
  const jitter = request.jitter === undefined ? undefined : parseDurationSecs(request.jitter);
  return targetSubjects(opts.target).map((subject) => ({
    subject,
    command: {
      request_id: uuidv7(),
      exec_id: opts.execId,
      job_id: m.id,
      version: m.version,
      shell: m.execute.shell,
      ...(m.execute.script !== undefined && m.execute.script.trim() !== "" ? { script: m.execute.script } : {}),
      ...(m.execute.script_object !== undefined
        ? { script_object: m.execute.script_object, ...(opts.scriptSha256 ? { script_sha256: opts.scriptSha256 } : {}) }
        : {}),
      timeout_secs: manifestTimeoutSecs(m),
      ...(jitter ? { jitter_secs: jitter } : {}),
      run_as: m.execute.run_as,
      ...(m.execute.cwd !== undefined ? { cwd: m.execute.cwd } : {}),
      ...(request.deadline_at !== undefined ? { deadline_at: request.deadline_at } : {}),
      staleness: m.staleness,
      ...(m.inventory !== undefined ? { inventory: true } : {}),
      issued_at: opts.issuedAt.toISOString(),
      issued_by: opts.issuedBy,
    },
  }));
}

/** Publishes through JetStream, awaiting each PubAck; msgID = request_id makes a retried publish harmless. */
export async function publishCommands(nats: Nats, plans: readonly CommandPlan[]): Promise<void> {
  await Promise.all(
    plans.map((p) =>
      nats.js.publish(p.subject, JSON.stringify(p.command), { msgID: p.command.request_id, timeout: NATS_TIMEOUT_MS }),
    ),
  );
}
