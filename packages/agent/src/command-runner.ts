/** From an accepted Command to a durable ExecResult: dedup → gates → jitter → run → outbox. */
import type { LiveOutput } from "./live-output.js";
import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import { SKIP_EXIT, subjects, type Command, type StartedEvent } from "@kanade/protocol/wire";
import { delayedCalls, type Cancellable } from "./delayed-calls.js";
import { buildResult, outcomeFields, type EndFields, type RunIdentity } from "./exec-result.js";
import type { Executor } from "./exec/executor.js";
import type { SpawnedProcess } from "./platform/index.js";
import { evaluateGates, type ScriptFacts } from "./gates.js";
import type { HandledStore } from "./handled-store.js";
import type { Outbox } from "./outbox.js";
import { scriptTimelineEvents } from "./events/script-events.js";
import type { RunningMarkers } from "./running-markers.js";

/** Refusals reported once each; past this many, the oldest are forgotten. */
const MAX_REMEMBERED_REFUSALS = 1_000;

/**
 * How long a run must last before its started event is sent. A run that ends sooner sends none: its result
 * (durable in the outbox) carries `started_at`, and the backend counts the PC from pending straight to its
 * status. At fleet scale this halves what every PC sends for quick scripts; a view of "running" PCs has no
 * use for runs shorter than this anyway.
 */
export const STARTED_EVENT_DELAY_MS = 1_000;

export interface ScriptStateSource {
  facts(jobId: string): ScriptFacts;
  cacheAgeMs(): number | undefined;
  /** Re-reads one job's status and current version from the broker. */
  refresh(jobId: string): Promise<void>;
}

export interface CommandRunnerDeps {
  pcId: string;
  /**
   * A core publish. Started events take it: EVENTS stores them all the same, and a PubAck round trip
   * per run would buy nothing, since a lost one is only logged and the result carries started_at.
   */
  publish(subject: string, body: string): void;
  /** Defaults to STARTED_EVENT_DELAY_MS; 0 sends the started event as the script starts. */
  startedEventDelayMs?: number;
  log: Logger;
  executor: Executor;
  handled: HandledStore;
  outbox: Outbox;
  markers: RunningMarkers;
  scriptState: ScriptStateSource;
  isConnected(): boolean;
  now(): number;
  random(): number;
  /** Where a run may spool output beyond the inline cap, per result_id; undefined keeps only the head. */
  outputDir?: (resultId: string) => string;
  /** Keeps the newest output of each running script for `agents.<pc>.tail`. */
  liveOutput?: LiveOutput;
  /** Told when a run is accepted, starts its script and ends (the local protocol shows users their runs). */
  onRun?: (event: RunEvent) => void;
  /** Told each chunk a run writes (the local protocol shows a user their run's output as it comes). */
  onRunOutput?: (execId: string, stream: "stdout" | "stderr", chunk: Buffer) => void;
}

/** One step of a run as local observers see it. */
export interface RunEvent {
  exec_id: string;
  job_id: string;
  state: "queued" | "running" | "finished";
  started_at?: string | null;
  finished_at?: string;
  status?: string;
  exit_code?: number | null;
}

export class CommandRunner {
  private readonly inflight = new Map<string, AbortController>();
  private readonly tasks = new Set<Promise<void>>();
  private stopping = false;
  /** Set by `drain`: the skip_reason of runs that had not started when the agent began restarting. */
  private drainReason: string | undefined;
  private readonly sleeping = new Set<string>();
  private readonly endedByDrain = new Set<string>();
  private readonly refused = new Set<string>();

  constructor(private readonly deps: CommandRunnerDeps) {}

  /** False once the agent stops or drains for an update: `handle` would drop what it is given. */
  accepting(): boolean {
    return !this.stopping && this.drainReason === undefined;
  }

  /** Synchronous up to "marked handled", so two copies arriving together cannot both pass. */
  handle(cmd: Command, subject: string): void {
    const { handled, log } = this.deps;
    // Not marked handled: the next start's replay still sees a command that arrives while draining.
    if (this.stopping || this.drainReason !== undefined) return;
    if (handled.has(cmd.exec_id) || handled.has(cmd.request_id)) {
      log.debug({ exec_id: cmd.exec_id, job_id: cmd.job_id, subject }, "already handled; dropped");
      return;
    }
    try {
      handled.mark([cmd.exec_id, cmd.request_id]);
    } catch (err) {
      // If we cannot remember it, running it could mean running it twice after a restart.
      log.error({ err, exec_id: cmd.exec_id, job_id: cmd.job_id }, "could not persist handled id; not running");
      return;
    }
    if (log.isLevelEnabled("info")) log.info({ exec_id: cmd.exec_id, job_id: cmd.job_id, version: cmd.version, subject }, "command accepted");
    this.emit({ exec_id: cmd.exec_id, job_id: cmd.job_id, state: "queued" });
    const task = this.process(cmd)
      .catch((err: unknown) => log.error({ err, exec_id: cmd.exec_id, job_id: cmd.job_id }, "command processing failed"))
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /**
   * A command whose signature, target or expiry did not verify: nothing runs, and the refusal is reported as
   * a skipped result (121) once per request. It is not marked handled, so a forgery carrying a real exec_id
   * cannot block the genuine command.
   */
  refuse(cmd: Command, subject: string, reason: string): void {
    const { log } = this.deps;
    log.warn({ exec_id: cmd.exec_id, job_id: cmd.job_id, subject, reason }, "refused a command that does not verify");
    if (this.refused.has(cmd.request_id)) return;
    this.refused.add(cmd.request_id);
    if (this.refused.size > MAX_REMEMBERED_REFUSALS) this.refused.delete(this.refused.values().next().value!);
    const resultId = uuidv7();
    this.complete(cmd, resultId, null, { status: "skipped", exit_code: SKIP_EXIT.UNTRUSTED, skip_reason: `refused: ${reason}` });
  }

  /** `kill.<exec_id>`: ends a jitter sleep or the running tree; unknown ids are ignored. */
  kill(execId: string): boolean {
    const ac = this.inflight.get(execId);
    if (!ac) return false;
    ac.abort();
    return true;
  }

  /** Kills in-flight runs without reporting them: their running markers stay, so the next start reports `error`. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const ac of this.inflight.values()) ac.abort();
    await Promise.allSettled([...this.tasks]);
  }

  /**
   * Before a restart into a new build: takes no more commands, ends runs still in their jitter sleep
   * as `skipped` with `skipReason` (not `error`: they never started), and waits up to `timeoutMs` for
   * the running ones to finish on their own. True when none is left; `stop` ends whatever is.
   */
  async drain(timeoutMs: number, skipReason: string): Promise<boolean> {
    this.drainReason = skipReason;
    for (const id of this.sleeping) {
      const ac = this.inflight.get(id);
      if (!ac || ac.signal.aborted) continue;
      this.endedByDrain.add(id);
      ac.abort();
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([Promise.allSettled([...this.tasks]).then(() => true), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private skipForDrain(cmd: Command, resultId: string, reason: string): void {
    this.deps.log.info({ exec_id: cmd.exec_id, job_id: cmd.job_id, reason }, "command skipped");
    this.complete(cmd, resultId, null, { status: "skipped", exit_code: null, skip_reason: reason });
  }

  private async process(cmd: Command): Promise<void> {
    const { deps } = this;
    const resultId = uuidv7();
    // Registered and marked before the first await (this part still runs inside `handle`, right after the
    // id is marked handled): a crash from here on leaves a marker, reported as `error` on restart, and a
    // `kill.<exec_id>` arriving during the version check finds the run.
    const ac = new AbortController();
    this.inflight.set(cmd.exec_id, ac);
    const marker = { ...runIdentity(cmd, resultId), agent_pid: process.pid };
    let started: Cancellable | undefined;
    try {
      deps.markers.write({ ...marker, started_at: null });
      await this.confirmVersion(cmd);
      if (ac.signal.aborted) {
        // Killed before it started; an agent stop leaves the marker instead, like any run it cuts short.
        if (!this.stopping) this.complete(cmd, resultId, null, { status: "killed", exit_code: null });
        return;
      }
      // skipForDrain / skippedByGates report through complete(), which also removes the marker.
      if (this.drainReason !== undefined) return this.skipForDrain(cmd, resultId, this.drainReason);
      if (this.skippedByGates(cmd, resultId)) return;
      if (cmd.jitter_secs) {
        this.sleeping.add(cmd.exec_id);
        await abortableSleep(deps.random() * cmd.jitter_secs * 1000, ac.signal).finally(() => this.sleeping.delete(cmd.exec_id));
      }
      if (ac.signal.aborted) {
        if (this.stopping) return;
        if (this.endedByDrain.delete(cmd.exec_id) && this.drainReason !== undefined) this.skipForDrain(cmd, resultId, this.drainReason);
        else this.complete(cmd, resultId, null, { status: "killed", exit_code: null });
        return;
      }
      // A revoke, a newer pin, a deadline or a lost connection may have arrived during a long jitter sleep.
      if (cmd.jitter_secs && this.skippedByGates(cmd, resultId)) return;
      const startedAt = new Date(deps.now()).toISOString();
      deps.markers.write({ ...marker, started_at: startedAt });
      started = this.startedLater({ exec_id: cmd.exec_id, request_id: cmd.request_id, result_id: resultId, job_id: cmd.job_id, version: cmd.version, pc_id: deps.pcId, started_at: startedAt });
      this.emit({ exec_id: cmd.exec_id, job_id: cmd.job_id, state: "running", started_at: startedAt });
      const outputDir = deps.outputDir?.(resultId);
      let running = true;
      // The marker names the script's process, so the next agent process can end it if this one dies.
      const onSpawn = (child: SpawnedProcess): void => {
        if (!running) return;
        try {
          deps.markers.write({ ...marker, started_at: startedAt, child });
        } catch (err) {
          deps.log.error({ err, exec_id: cmd.exec_id, job_id: cmd.job_id }, "could not record the script's pid; a crash of the agent would leave it running");
        }
      };
      const live = deps.liveOutput;
      live?.begin(cmd.exec_id);
      const observer = deps.onRunOutput;
      const onOutput =
        live || observer
          ? (stream: "stdout" | "stderr", chunk: Buffer): void => {
              live?.push(cmd.exec_id, stream, chunk);
              observer?.(cmd.exec_id, stream, chunk);
            }
          : undefined;
      const outcome = await deps.executor
        .run({ cmd, pcId: deps.pcId, signal: ac.signal, onSpawn, ...(outputDir ? { outputDir } : {}), ...(onOutput ? { onOutput } : {}) })
        .finally(() => {
          running = false;
          live?.end(cmd.exec_id);
        });
      if (this.stopping) return; // leave the marker: the next start reports this run as interrupted
      if (deps.log.isLevelEnabled("info")) deps.log.info({ exec_id: cmd.exec_id, job_id: cmd.job_id, status: outcome.status, exit_code: outcome.exitCode }, "run finished");
      // Before the result, in the same outbox: the run's events are never behind its result, nor lost without it.
      if (outcome.events) {
        const run = { pcId: deps.pcId, execId: cmd.exec_id, jobId: cmd.job_id, resultId, at: new Date(deps.now()).toISOString() };
        for (const e of scriptTimelineEvents(run, outcome.events)) deps.outbox.putEvent(e);
      }
      this.complete(cmd, resultId, startedAt, outcomeFields(outcome));
    } finally {
      // A run that ended before its started event was due sends none: its result says when it started.
      started?.cancel();
      this.inflight.delete(cmd.exec_id);
    }
  }

  /** A pin that differs from the command may just be a watch lagging behind the backend's write: ask the broker. */
  private async confirmVersion(cmd: Command): Promise<void> {
    const { deps } = this;
    const current = deps.scriptState.facts(cmd.job_id).current;
    if (current === undefined || current === cmd.version || cmd.staleness.mode === "unchecked" || !deps.isConnected()) return;
    try {
      await deps.scriptState.refresh(cmd.job_id);
    } catch (err) {
      deps.log.warn({ err, exec_id: cmd.exec_id, job_id: cmd.job_id }, "could not re-read script_current; using the cached value");
    }
  }

  /** Runs the gates; when one refuses, reports the skip and returns true. */
  private skippedByGates(cmd: Command, resultId: string): boolean {
    const { deps } = this;
    const decision = evaluateGates(cmd, {
      now: deps.now(),
      connected: deps.isConnected(),
      cacheAgeMs: deps.scriptState.cacheAgeMs(),
      facts: deps.scriptState.facts(cmd.job_id),
      unsupported: deps.executor.unsupportedReason(cmd),
    });
    if (decision.run) return false;
    deps.log.info({ exec_id: cmd.exec_id, job_id: cmd.job_id, exit_code: decision.exitCode, reason: decision.reason }, "command skipped");
    this.complete(cmd, resultId, null, { status: "skipped", exit_code: decision.exitCode, skip_reason: decision.reason });
    return true;
  }

  private complete(cmd: Command, resultId: string, startedAt: string | null, end: EndFields): void {
    const finishedAt = new Date(this.deps.now()).toISOString();
    this.deps.outbox.put(buildResult(runIdentity(cmd, resultId), this.deps.pcId, { startedAt, finishedAt }, end));
    this.emit({ exec_id: cmd.exec_id, job_id: cmd.job_id, state: "finished", started_at: startedAt, finished_at: finishedAt, status: end.status, exit_code: end.exit_code });
    this.deps.markers.remove(cmd.exec_id);
    void this.deps.outbox.drain();
  }

  private emit(event: RunEvent): void {
    try {
      this.deps.onRun?.(event);
    } catch (err) {
      this.deps.log.warn({ err, exec_id: event.exec_id }, "run observer failed");
    }
  }

  /** Sends the started event once the run has lasted `startedEventDelayMs`, unless cancelled first. */
  private startedLater(event: StartedEvent): Cancellable {
    const delay = this.deps.startedEventDelayMs ?? STARTED_EVENT_DELAY_MS;
    if (delay <= 0) {
      this.publishStarted(event);
      return { cancel: () => undefined };
    }
    return delayedCalls(delay).schedule(() => {
      if (!this.stopping) this.publishStarted(event);
    });
  }

  private publishStarted(event: StartedEvent): void {
    const { log } = this.deps;
    if (!this.deps.isConnected()) return; // the result itself carries started_at
    try {
      this.deps.publish(subjects.started(event.exec_id, event.pc_id), JSON.stringify(event));
    } catch (err) {
      log.warn({ err, exec_id: event.exec_id, job_id: event.job_id }, "started event not published");
    }
  }
}

const runIdentity = (cmd: Command, resultId: string): RunIdentity => ({
  result_id: resultId,
  exec_id: cmd.exec_id,
  request_id: cmd.request_id,
  job_id: cmd.job_id,
  version: cmd.version,
  run_as: cmd.run_as,
});

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
