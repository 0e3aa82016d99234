/** Turns one exec request into Commands (one per target subject, sharing an exec_id) and publishes them to EXEC. */
import {
  KanadeError,
  STREAMS,
  commandSchema,
  manifestTimeoutSecs,
  parseDurationSecs,
  subjects,
  targetOfSubject,
  type ExecRequest,
  type Manifest,
} from "@kanade/protocol";
import { TimeoutError } from "@nats-io/transport-node";
import type { BaseLogger } from "pino";
import { v7 as uuidv7 } from "uuid";
import type { Nats } from "../nats.js";
import { NATS_TIMEOUT_MS, isNatsUnavailable } from "../nats.js";
import type { Sealer } from "../signing/seal.js";
import type { CommandPlan, ExecTarget } from "./types.js";

export type { CommandPlan, ExecTarget } from "./types.js";

/** What publishing logs through. */
export type PublishLog = Pick<BaseLogger, "debug" | "warn" | "error">;

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

/** What one exec publishes: the job, who asked, and where it goes. */
export interface ExecPlanInput {
  manifest: Manifest;
  execId: string;
  request: ExecRequest;
  target: ExecTarget;
  issuedAt: Date;
  issuedBy: string;
  /** Hex digest of the script object, so the agent can verify what it downloads. */
  scriptSha256?: string | undefined;
  /** Signs each command; its signature binds the content, the target subject and an expiry. */
  seal: Sealer["command"];
}

export function planCommands(opts: ExecPlanInput): CommandPlan[] {
  const { manifest: m, request } = opts;
  const jitter = request.jitter === undefined ? undefined : parseDurationSecs(request.jitter);
  return targetSubjects(opts.target).map((subject) => ({
    subject,
    command: opts.seal({
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
      target: targetOfSubject(subject)!,
    }),
  }));
}

/** Publishes one Command and resolves with its stream sequence once JetStream acknowledged it. */
export type PublishCommand = (plan: CommandPlan) => Promise<{ seq: number }>;

/** How many times one command is offered to a broker that is connected but slow to acknowledge it. */
export const PUBLISH_ATTEMPTS = 3;

/**
 * msgID = request_id makes a retried publish harmless: a publish that timed out while the connection stayed up
 * (a stream leader busy with tens of thousands of PCs) is offered again, and JetStream keeps one copy. A broker
 * that cannot be reached fails at once, as before.
 */
export const jetStreamPublish =
  (nats: Nats, attempts = PUBLISH_ATTEMPTS): PublishCommand =>
  async (p) => {
    const body = JSON.stringify(p.command);
    for (let attempt = 1; ; attempt++) {
      try {
        return await nats.js.publish(p.subject, body, { msgID: p.command.request_id, timeout: NATS_TIMEOUT_MS });
      } catch (err) {
        if (attempt >= attempts || !(err instanceof TimeoutError) || !nats.isConnected()) throw err;
      }
    }
  };

/**
 * A partial publish could not be withdrawn: some commands of the exec may still be queued in EXEC. The
 * caller must keep the execution (marked killed) so the operator can see it and kill it again.
 */
export class CommandsLeftQueuedError extends KanadeError {
  constructor(
    readonly execId: string,
    readonly queuedSubjects: readonly string[],
    cause: unknown,
  ) {
    super(
      "NATS_UNAVAILABLE",
      `Publishing execution ${execId} failed part-way and its queued commands could not be withdrawn ` +
        `(${queuedSubjects.join(", ")}); run "kanade kill ${execId}" once the broker is reachable`,
      { cause },
    );
  }
}

/**
 * Publishes every plan, awaiting each PubAck. All or nothing: when any publish fails, the commands
 * already acknowledged are purged from EXEC again and `kill.<exec_id>` stops a run an online agent may
 * have picked up meanwhile, so the caller can forget the execution and the operator's retry does not run
 * it twice. Throws NATS_UNAVAILABLE ("nothing was queued") then, or CommandsLeftQueuedError when the
 * withdrawal itself failed.
 */
export async function publishCommands(
  nats: Nats,
  plans: readonly CommandPlan[],
  log: PublishLog,
  sealKill: Sealer["kill"],
  publish: PublishCommand = jetStreamPublish(nats),
): Promise<void> {
  // allSettled, not all: we must know which subjects were acknowledged before a failure surfaces.
  const settled = await Promise.allSettled(plans.map((p) => publish(p)));
  const acked: { subject: string; seq: number }[] = [];
  const failed: { subject: string; reason: unknown }[] = [];
  settled.forEach((r, i) => {
    const subject = plans[i]!.subject;
    if (r.status === "fulfilled") acked.push({ subject, seq: r.value.seq });
    else failed.push({ subject, reason: r.reason });
  });
  const first = failed[0];
  if (!first) return;
  const cmd = plans[0]!.command;
  log.warn(
    { exec_id: cmd.exec_id, failed: failed.map((f) => f.subject), acked: acked.map((a) => a.subject), err: first.reason },
    "publishing commands failed part-way; withdrawing the acknowledged ones",
  );
  if (acked.length > 0) {
    try {
      for (const a of acked) await withdrawCommand(nats, a.subject, a.seq);
      const kill = sealKill({ exec_id: cmd.exec_id, issued_by: cmd.issued_by, issued_at: new Date().toISOString() });
      nats.nc.publish(subjects.kill(cmd.exec_id), JSON.stringify(kill));
      await nats.nc.flush();
    } catch (err) {
      log.error({ exec_id: cmd.exec_id, err }, "cannot withdraw the commands of a failed publish");
      throw new CommandsLeftQueuedError(cmd.exec_id, acked.map((a) => a.subject), err);
    }
  }
  const message = `Publishing the commands failed on ${failed.length} of ${plans.length} subject(s) (${first.subject}); nothing was queued, try again`;
  throw new KanadeError(isNatsUnavailable(first.reason) ? "NATS_UNAVAILABLE" : "INTERNAL", message, { cause: first.reason });
}

/**
 * Purges the message at `seq` (and anything older) on `subject`. Bounded by seq, so a newer exec
 * published to the same subject meanwhile survives.
 */
async function withdrawCommand(nats: Nats, subject: string, seq: number): Promise<number> {
  const r = await nats.jsm.streams.purge(STREAMS.EXEC, { filter: subject, seq: seq + 1 });
  return r.purged;
}

/**
 * Removes an exec's commands from EXEC where they are still the newest on their subject, so an agent
 * that comes online later does not start a killed run. A newer exec on the same subject is left alone,
 * also when it lands between the read and the purge.
 */
export async function purgeExecCommands(nats: Nats, execId: string, target: ExecTarget, log: PublishLog): Promise<number> {
  let purged = 0;
  for (const subject of targetSubjects(target)) {
    const msg = await nats.jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject });
    if (!msg) continue;
    const cmd = commandSchema.safeParse(msg.json<unknown>());
    if (!cmd.success || cmd.data.exec_id !== execId) continue;
    const n = await withdrawCommand(nats, subject, msg.seq);
    purged += n;
    log.debug({ exec_id: execId, subject, purged: n }, "purged killed command from EXEC");
  }
  return purged;
}
