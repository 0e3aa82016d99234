/**
 * Carries out intents: publishing an execution's commands and withdrawing them. Each intent was written in
 * the same transaction as the state change that needs it, so a backend that dies half-way finds it at start
 * and finishes it (or, when that is no longer safe, fails the execution explicitly).
 */
import { KanadeError } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Audit } from "../audit/index.js";
import { SYSTEM_CALLER } from "../caller.js";
import type { ExecBroker } from "./broker.js";
import { CommandsLeftQueuedError } from "./publish.js";
import type { ExecutionsStore } from "./store.js";
import type { CommandPlan, Intent } from "./types.js";

/** An execution found unpublished at start is published only if it is younger than this; older ones fail. */
export const MAX_LATE_PUBLISH_MS = 10 * 60_000;
const SWEEP_MS = 5_000;

export interface IntentDeps {
  store: ExecutionsStore;
  broker: ExecBroker;
  /** Pins `script_current` to the version being published, so agents' version gate lets it run. */
  setCurrent(jobId: string, version: string): Promise<void>;
  audit: Pick<Audit, "build" | "committed">;
  log: Logger;
  clock: () => Date;
}

export type PublishOutcome = { ok: true } | { ok: false; error: KanadeError };

type PublishIntent = Extract<Intent, { kind: "publish" }>;
type WithdrawIntent = Extract<Intent, { kind: "withdraw" }>;

export interface IntentRunner {
  publish(intent: PublishIntent): Promise<PublishOutcome>;
  withdraw(intent: WithdrawIntent): Promise<boolean>;
  /** Runs every stored intent not already in progress; at start, `recovering` publishes only what is still safe. */
  sweep(recovering: boolean): Promise<void>;
  /** Retries what is left (withdrawals while the broker is away) every few seconds; returns a stop function. */
  start(): () => void;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createIntentRunner(deps: IntentDeps): IntentRunner {
  const busy = new Set<string>();
  const key = (i: Intent): string => `${i.exec_id}:${i.kind}`;

  /** Moves the execution to failed_to_publish, queueing a withdrawal when commands may be out there. */
  const fail = async (intent: PublishIntent, reason: string, withdraw: boolean, log: Logger): Promise<KanadeError> => {
    const now = deps.clock();
    const moved = await deps.store.transition(intent.exec_id, {
      from: ["running"],
      to: "failed_to_publish",
      reason,
      removeIntents: ["publish"],
      ...(withdraw
        ? {
            addIntent: {
              kind: "withdraw",
              exec_id: intent.exec_id,
              created_at: now.toISOString(),
              target: intent.target,
              issued_by: SYSTEM_CALLER.actor,
            },
          }
        : {}),
      audit: deps.audit.build(SYSTEM_CALLER, {
        action: "exec.publish_failed",
        target: intent.exec_id,
        payload: { job_id: intent.job_id, version: intent.version, reason, withdrawal_queued: withdraw },
      }),
    });
    if (!moved) await deps.store.removeIntent(intent.exec_id, "publish");
    deps.audit.committed();
    log.error({ reason, withdraw }, "execution failed to publish");
    return new KanadeError("NATS_UNAVAILABLE", `Execution ${intent.exec_id} was not published: ${reason}`);
  };

  const publish = async (intent: PublishIntent, recovering = false): Promise<PublishOutcome> => {
    const log = deps.log.child({ exec_id: intent.exec_id, job_id: intent.job_id });
    const e = await deps.store.get(intent.exec_id);
    if (!e || e.state !== "running") {
      // Killed (or gone) before its commands went out: its withdrawal, if any, is a separate intent.
      await deps.store.removeIntent(intent.exec_id, "publish");
      return { ok: true };
    }
    const age = deps.clock().getTime() - Date.parse(intent.created_at);
    if (recovering && age > MAX_LATE_PUBLISH_MS) {
      const reason = `the backend stopped before publishing it and came back ${Math.round(age / 60_000)} min later; not sent late`;
      return { ok: false, error: await fail(intent, reason, true, log) };
    }
    let plans: CommandPlan[] = intent.plans;
    if (recovering) {
      let left: { plans: CommandPlan[]; superseded: string[] };
      try {
        left = await stillToPublish(deps.broker, intent);
      } catch (err) {
        const reason = `the backend stopped before publishing it and cannot check the broker now (${errorText(err)})`;
        return { ok: false, error: await fail(intent, reason, true, log) };
      }
      if (left.superseded.length > 0) {
        // Sending it now would run it after a newer execution on the same PCs, or hide that one from offline PCs.
        const reason =
          `the backend stopped before publishing it, and newer executions were sent to ${left.superseded.join(", ")} meanwhile; ` +
          "not sent late (what may have gone out before the stop is withdrawn)";
        return { ok: false, error: await fail(intent, reason, true, log) };
      }
      plans = left.plans;
    }
    try {
      await deps.setCurrent(intent.job_id, intent.version);
      await deps.broker.publish(plans, log);
    } catch (err) {
      const queued = err instanceof CommandsLeftQueuedError;
      const reason = queued
        ? `the broker failed part-way and commands on ${err.queuedSubjects.join(", ")} could not be withdrawn yet; withdrawal is retried`
        : `the broker did not take the commands (${errorText(err)}); nothing was queued`;
      // A recovered intent may have had commands published before the crash: withdraw to be sure.
      return { ok: false, error: await fail(intent, reason, queued || recovering, log) };
    }
    await deps.store.removeIntent(intent.exec_id, "publish");
    log.info({ subjects: plans.length, recovered: recovering }, "execution published");
    return { ok: true };
  };

  const withdraw = async (intent: WithdrawIntent): Promise<boolean> => {
    const log = deps.log.child({ exec_id: intent.exec_id });
    try {
      const purged = await deps.broker.withdraw(intent.exec_id, intent.target, intent.issued_by, deps.clock(), log);
      await deps.store.removeIntent(intent.exec_id, "withdraw");
      log.info({ purged }, "execution withdrawn: kill sent, queued commands purged");
      return true;
    } catch (err) {
      await deps.store.noteIntentFailure(intent.exec_id, "withdraw", errorText(err));
      log.warn({ err }, "withdrawing an execution failed; retrying");
      return false;
    }
  };

  const guarded = async <T>(intent: Intent, run: () => Promise<T>): Promise<T | undefined> => {
    if (busy.has(key(intent))) return undefined;
    busy.add(key(intent));
    try {
      return await run();
    } finally {
      busy.delete(key(intent));
    }
  };

  const sweep = async (recovering: boolean): Promise<void> => {
    for (const intent of await deps.store.intents()) {
      try {
        if (intent.kind === "publish") await guarded(intent, () => publish(intent, recovering));
        else if (deps.broker.connected()) await guarded(intent, () => withdraw(intent));
      } catch (err) {
        deps.log.error({ err, exec_id: intent.exec_id, kind: intent.kind }, "intent failed");
      }
    }
  };

  return {
    publish: async (intent) => (await guarded(intent, () => publish(intent))) ?? { ok: true },
    withdraw: async (intent) => (await guarded(intent, () => withdraw(intent))) ?? false,
    sweep,
    start: () => {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        // Intents found by a sweep were left by an earlier attempt: treat them as recovered work.
        void sweep(true).finally(() => (running = false));
      }, SWEEP_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/**
 * After a crash, a subject may already carry this exec (published before the crash: nothing to do) or a newer
 * one (another exec fired since: this one must not go out there).
 */
async function stillToPublish(broker: ExecBroker, intent: PublishIntent): Promise<{ plans: CommandPlan[]; superseded: string[] }> {
  const plans: CommandPlan[] = [];
  const superseded: string[] = [];
  for (const p of intent.plans) {
    const newest = await broker.newestExecOn(p.subject);
    // UUIDv7 ids sort by creation time.
    if (newest === undefined || newest < intent.exec_id) plans.push(p);
    else if (newest > intent.exec_id) superseded.push(p.subject);
  }
  return { plans, superseded };
}
