/**
 * Results and timeline events are durable before they are published: written + fsynced to `<data_dir>/outbox/`, published
 * with the result_id as JetStream msgID (so a re-send after a lost PubAck is deduplicated), and deleted
 * only after the PubAck. Events (`<seq>-<event_id>.event.json`) share the queue and its order, so an event a
 * script emitted goes out before the result of its run, and none is lost to a broker outage or a restart.
 * Without a dir (the simulator) the queue lives in memory. A result the broker can
 * never take is set aside as `*.bad`, so one bad entry cannot hold back every later result.
 */
import { closeSync, fsyncSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { JetStreamApiError, type JetStreamClient } from "@nats-io/jetstream";
import { InvalidArgumentError, InvalidSubjectError } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { agentEventSchema, execResultSchema, subjects, type AgentEvent, type ExecResult } from "@kanade/protocol/wire";
import { OutputUploader } from "./output-upload.js";
import { mkdirPrivate, openPrivateSync } from "./private-files.js";
import { DEFAULT_MAX_PAYLOAD, encodedBytes, fitResult, PAYLOAD_MARGIN_BYTES } from "./result-fit.js";

type Entry = { name: string; result: ExecResult; event?: undefined } | { name: string; event: AgentEvent; result?: undefined };

const SEQ_WIDTH = 12;
/** Backoff after a failed publish (e.g. JetStream still recovering right after a broker restart). */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
const FILE_RE = /^(\d+)-([0-9a-f-]+)(\.event)?\.json$/i;
/** JetStream's "message size exceeds maximum allowed" (the stream's max_msg_size). */
const JS_MESSAGE_TOO_LARGE = 10054;

export class Outbox {
  private readonly memory: Entry[] = [];
  private seq = 0;
  private draining: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  /** Uploads output beyond the inline cap; only an outbox on disk has spooled output. */
  readonly output: OutputUploader | undefined;

  constructor(
    private readonly deps: {
      dir: string | undefined;
      js: JetStreamClient;
      log: Logger;
      isConnected: () => boolean;
      /** The server's max_payload once the connection knows it. */
      maxPayload?: () => number | undefined;
    },
  ) {
    this.output = deps.dir ? new OutputUploader({ outboxDir: deps.dir, js: deps.js, log: deps.log, maxPayload: deps.maxPayload }) : undefined;
    if (deps.dir) {
      mkdirPrivate(deps.dir);
      for (const name of this.fileNames()) this.seq = Math.max(this.seq, Number(FILE_RE.exec(name)?.[1] ?? 0));
    }
  }

  /** Makes the result durable (fsync) and returns once it is; publishing happens in `drain`. */
  put(result: ExecResult): void {
    this.seq += 1;
    this.write({ name: `${String(this.seq).padStart(SEQ_WIDTH, "0")}-${result.result_id}.json`, result });
  }

  /** Makes a timeline event durable, in order with results; published (msgID = event_id) in `drain`. */
  putEvent(event: AgentEvent): void {
    this.seq += 1;
    this.write({ name: `${String(this.seq).padStart(SEQ_WIDTH, "0")}-${event.event_id}.event.json`, event });
  }

  private write(entry: Entry): void {
    const { name } = entry;
    const dir = this.deps.dir;
    if (!dir) {
      this.memory.push(entry);
      return;
    }
    const tmp = join(dir, `${name}.tmp`);
    const fd = openPrivateSync(tmp);
    try {
      writeSync(fd, JSON.stringify(entry.result ?? entry.event));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The .tmp suffix keeps a half-written file out of the drain if we crash mid-write.
    renameSync(tmp, join(dir, name));
  }

  pending(): number {
    return this.deps.dir ? this.fileNames().length : this.memory.length;
  }

  /**
   * Publishes everything in order; concurrent callers share one pass. A call made while a pass runs asks
   * for one more pass: the running one may already have seen an empty queue (its end and the `finally`
   * that clears `draining` are microtasks apart, and a run can complete in between), and its entry would
   * otherwise wait for the next result or reconnect.
   */
  drain(): Promise<void> {
    this.again = true;
    if (this.draining) return this.draining;
    const passes = async (): Promise<void> => {
      try {
        while (this.again) {
          this.again = false;
          // A pass that stopped for a retry or a lost connection leaves the rest to the timer / reconnect.
          if (!(await this.drainOnce())) return;
        }
      } finally {
        this.draining = undefined;
      }
    };
    this.draining = passes();
    return this.draining;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** One pass over the queue; true when it ended with the queue empty. */
  private async drainOnce(): Promise<boolean> {
    for (;;) {
      if (this.stopped) return false;
      const next = this.peek();
      if (!next) return true;
      if (!this.deps.isConnected()) return false; // the reconnect handler drains again
      if (next.event) {
        if (!(await this.publishEvent(next.name, next.event))) return false;
        continue;
      }
      try {
        const attached = this.output ? await this.output.attach(next.result) : next.result;
        // Most results fit as they are: encoded once, with no extra await.
        const encoded = this.encode(attached);
        const { result, body } = encoded.fits ? { result: attached, body: encoded.body } : await this.fit(attached, encoded.body);
        const ack = await this.deps.js.publish(subjects.result(result.exec_id, result.pc_id), body, {
          msgID: result.result_id,
        });
        if (this.deps.log.isLevelEnabled("info")) {
          this.deps.log.info(
            { exec_id: next.result.exec_id, job_id: next.result.job_id, result_id: next.result.result_id, status: next.result.status, seq: ack.seq, duplicate: ack.duplicate },
            "result published",
          );
        }
      } catch (err) {
        if (!isPermanent(err)) {
          this.deps.log.warn({ err, exec_id: next.result.exec_id, result_id: next.result.result_id }, "result publish failed; will retry");
          this.scheduleRetry();
          return false;
        }
        this.deps.log.error(
          { err, exec_id: next.result.exec_id, job_id: next.result.job_id, result_id: next.result.result_id },
          "result can never be published; moved aside",
        );
        this.setAside(next.name);
        this.output?.discard(next.result.result_id);
        continue;
      }
      this.retryMs = RETRY_MIN_MS;
      this.remove(next.name);
      this.output?.discard(next.result.result_id);
    }
  }

  /** Publishes one event; false when it must be retried later (the timer is set). */
  private async publishEvent(name: string, event: AgentEvent): Promise<boolean> {
    try {
      const ack = await this.deps.js.publish(subjects.pcEvent(event.pc_id, event.kind), JSON.stringify(event), { msgID: event.event_id });
      this.deps.log.debug({ event_id: event.event_id, kind: event.kind, seq: ack.seq, duplicate: ack.duplicate }, "event published");
    } catch (err) {
      if (!isPermanent(err)) {
        this.deps.log.warn({ err, event_id: event.event_id, kind: event.kind }, "event publish failed; will retry");
        this.scheduleRetry();
        return false;
      }
      this.deps.log.error({ err, event_id: event.event_id, kind: event.kind }, "event can never be published; moved aside");
      this.setAside(name);
      return true;
    }
    this.retryMs = RETRY_MIN_MS;
    this.remove(name);
    return true;
  }

  private payloadLimit(): number {
    return (this.deps.maxPayload?.() ?? DEFAULT_MAX_PAYLOAD) - PAYLOAD_MARGIN_BYTES;
  }

  /** The result's JSON, and whether it fits max_payload as it is. */
  private encode(result: ExecResult): { body: string; fits: boolean } {
    const limit = this.payloadLimit();
    const body = JSON.stringify(result);
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8: most results fit without counting.
    return { body, fits: body.length * 3 <= limit || Buffer.byteLength(body, "utf8") <= limit };
  }

  /**
   * Trims the inline output when the escaped JSON would pass max_payload (NULs and control bytes grow
   * six-fold). Returns the JSON to publish too, so a result that fits is encoded once.
   */
  private async fit(result: ExecResult, body: string): Promise<{ result: ExecResult; body: string }> {
    const limit = this.payloadLimit();
    const fitted = fitResult(result, limit);
    if (fitted.trimmed.length === 0) return { result, body };
    this.deps.log.warn(
      { exec_id: result.exec_id, job_id: result.job_id, result_id: result.result_id, streams: fitted.trimmed, bytes: encodedBytes(result), limit },
      "result too large for max_payload once encoded; inline output cut",
    );
    const kept = this.output ? await this.output.keepWhole(result, fitted.trimmed, fitted.result) : fitted.result;
    return { result: kept, body: JSON.stringify(kept) };
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private peek(): Entry | undefined {
    if (!this.deps.dir) return this.memory[0];
    for (const name of this.fileNames()) {
      const path = join(this.deps.dir, name);
      try {
        const value: unknown = JSON.parse(readFileSync(path, "utf8"));
        if (FILE_RE.exec(name)?.[3]) return { name, event: agentEventSchema.parse(value) };
        return { name, result: execResultSchema.parse(value) };
      } catch (err) {
        // Unreadable entries must not block the queue forever; keep them aside for an operator.
        this.deps.log.error({ err, path }, "outbox entry unreadable; moved aside");
        renameSync(path, `${path}.bad`);
      }
    }
    return undefined;
  }

  private remove(name: string): void {
    if (!this.deps.dir) {
      this.memory.shift();
      return;
    }
    unlinkSync(join(this.deps.dir, name));
  }

  private setAside(name: string): void {
    if (!this.deps.dir) {
      this.memory.shift();
      return;
    }
    const path = join(this.deps.dir, name);
    renameSync(path, `${path}.bad`);
  }

  private fileNames(): string[] {
    return readdirSync(this.deps.dir ?? ".").filter((n) => FILE_RE.test(n)).sort();
  }
}

/** Errors that the same message will meet on every retry; anything else (timeouts, no stream yet, a
 * recovering broker) is retried. */
function isPermanent(err: unknown): boolean {
  // A request wraps the publish's own error (RequestError with a cause): look through the chain.
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof InvalidArgumentError || e instanceof InvalidSubjectError) return true;
    if (e instanceof JetStreamApiError && e.code === JS_MESSAGE_TOO_LARGE) return true;
  }
  return false;
}
