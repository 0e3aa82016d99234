/**
 * A running marker left at startup means the previous agent process died mid-run. The run is reported
 * as `error` (SPEC §6) and is not started again, but first what it left behind is cleaned up: the
 * script's processes, if they still run and are provably the ones it started (pid + start time), the
 * staging folders, and any output spooled for it.
 */
import type { Logger } from "pino";
import type { Executor } from "./exec/executor.js";
import { buildResult } from "./exec-result.js";
import type { Outbox } from "./outbox.js";
import type { RunningMarker, RunningMarkers } from "./running-markers.js";

export interface InterruptedRunsDeps {
  pcId: string;
  markers: RunningMarkers;
  outbox: Outbox;
  executor: Executor;
  log: Logger;
  now: () => number;
}

/** Ends leftovers, removes staging, then puts one `error` result per marker in the outbox. */
export async function reportInterruptedRuns(deps: InterruptedRunsDeps): Promise<void> {
  const { log } = deps;
  const leftovers = deps.markers.leftovers();
  const notes = new Map<string, string>();
  for (const m of leftovers) notes.set(m.exec_id, await endLeftover(deps, m));
  try {
    await deps.executor.removeLeftoverStaging?.();
  } catch (err) {
    log.error({ err }, "could not remove staging folders left by interrupted runs");
  }
  for (const m of leftovers) {
    log.warn({ exec_id: m.exec_id, job_id: m.job_id }, "reporting a run interrupted by an agent stop");
    const finishedAt = new Date(deps.now()).toISOString();
    deps.outbox.put(
      buildResult(m, deps.pcId, { startedAt: m.started_at, finishedAt }, {
        status: "error",
        exit_code: null,
        error: `agent stopped while the script was running (agent pid ${m.agent_pid}; output lost)${notes.get(m.exec_id) ?? ""}`,
      }),
    );
    deps.outbox.output?.discard(m.result_id);
    deps.markers.remove(m.exec_id);
  }
}

/** Kills what is left of the marker's script, if anything; returns what to add to the result's error text. */
async function endLeftover(deps: InterruptedRunsDeps, m: RunningMarker): Promise<string> {
  const ids = { exec_id: m.exec_id, job_id: m.job_id };
  if (!m.child || !deps.executor.reapOrphan) return "";
  try {
    const outcome = await deps.executor.reapOrphan(m.child);
    switch (outcome.state) {
      case "killed":
        deps.log.warn({ ...ids, pid: m.child.pid, killed: outcome.pids, problem: outcome.problem }, "killed the processes an interrupted run left running");
        return `; its processes still running (pid ${outcome.pids.join(", ")}) were killed when the agent restarted`;
      case "gone":
        deps.log.info({ ...ids, pid: m.child.pid }, "the interrupted run's script is no longer running");
        return "; the script was no longer running when the agent restarted";
      case "unverifiable":
        deps.log.warn({ ...ids, pid: m.child.pid, reason: outcome.reason }, "cannot tell whether the interrupted run's script still runs; left alone");
        return `; whether the script still runs could not be checked (${outcome.reason})`;
    }
  } catch (err) {
    deps.log.error({ err, ...ids, pid: m.child.pid }, "could not check for processes left by an interrupted run");
    return `; whether the script still runs could not be checked (${(err as Error).message})`;
  }
}
