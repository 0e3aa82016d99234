/**
 * Agent-side firing (`runs_on: agent`): on its own clock, for each standing order that targets this PC, the
 * occurrence due now (window, skip_dates, active, starting_deadline: protocol schedule-order.ts) runs once —
 * with or without the broker. Nothing fires while the freeze this agent last saw holds. Each fire becomes a
 * Command under the exec_id the backend derives too, handed to the same runner as a received command (gates,
 * jitter, running markers, outbox), so its result reaches the backend whenever the broker is back.
 */
import type { Logger } from "pino";
import { v5 as uuidv5 } from "uuid";
import {
  SCHEDULE_EXEC_NAMESPACE,
  commandSchema,
  dueOccurrence,
  orderJitterSecs,
  orderTargets,
  scheduleExecName,
  type Command,
  type StandingOrder,
} from "@kanade/protocol/wire";
import type { FiredOccurrences } from "./fired-occurrences.js";

export interface AgentSchedulerDeps {
  pcId: string;
  orders(): readonly StandingOrder[];
  /** Why nothing may fire now (the last freeze seen), or undefined. */
  held(nowMs: number): string | undefined;
  groups(): readonly string[];
  fired: FiredOccurrences;
  /** False while the agent stops or drains: nothing fires then (the occurrence stays due for the next start). */
  accepting?: () => boolean;
  /** Until when the person at the PC put this occurrence off (ms since the epoch), if they did. */
  deferredUntil?: (scheduleId: string, execId: string) => number | undefined;
  /** Runs the command as if received (the order's signature was verified when it arrived). */
  run(cmd: Command, origin: string): void;
  log: Logger;
  now(): number;
}

/** The exec_id of an occurrence, as the backend derives it. */
export const occurrenceExecId = (order: StandingOrder, occurrence: string): string =>
  uuidv5(scheduleExecName(order.schedule_id, new Date(Date.parse(order.since)).toISOString(), occurrence), SCHEDULE_EXEC_NAMESPACE);

export class AgentScheduler {
  private toldHeld: string | undefined;

  constructor(private readonly deps: AgentSchedulerDeps) {}

  /** Fires what is due now; answers how many fires it started. */
  tick(): number {
    const { deps } = this;
    const nowMs = deps.now();
    if (deps.accepting && !deps.accepting()) return 0;
    const held = deps.held(nowMs);
    if (held !== undefined) {
      if (this.toldHeld !== held) deps.log.info({ reason: held }, "agent-side schedules held");
      this.toldHeld = held;
      return 0;
    }
    this.toldHeld = undefined;
    let fired = 0;
    for (const order of deps.orders()) {
      try {
        if (this.fire(order, nowMs)) fired++;
      } catch (err) {
        deps.log.error({ err, schedule_id: order.schedule_id }, "agent-side schedule could not fire");
      }
    }
    return fired;
  }

  private fire(order: StandingOrder, nowMs: number): boolean {
    const { deps } = this;
    const s = order.schedule;
    if (!orderTargets(s, deps.pcId, deps.groups())) return false;
    const due = dueOccurrence(s, Date.parse(order.since), order.command.version, nowMs);
    if (!due) return false;
    const execId = occurrenceExecId(order, due.key);
    if (deps.fired.has(s.id, execId)) return false;
    const deferred = deps.deferredUntil?.(s.id, execId);
    if (deferred !== undefined && nowMs < deferred) return false;
    const jitter = orderJitterSecs(s);
    const cmd = commandSchema.parse({
      ...order.command,
      request_id: uuidv5(`${execId}/${deps.pcId}`, SCHEDULE_EXEC_NAMESPACE),
      exec_id: execId,
      ...(jitter ? { jitter_secs: jitter } : {}),
      ...(due.deadline !== undefined ? { deadline_at: new Date(due.deadline).toISOString() } : {}),
      issued_at: new Date(nowMs).toISOString(),
      issued_by: order.issued_by,
    });
    // Remembered before it runs: if this cannot be written, it does not run (it could run twice otherwise).
    deps.fired.mark(s.id, execId, due.key, new Date(nowMs));
    deps.log.info({ schedule_id: s.id, exec_id: execId, occurrence: due.key, job_id: cmd.job_id }, "agent-side schedule fired");
    deps.run(cmd, `schedule:${s.id}`);
    return true;
  }
}
