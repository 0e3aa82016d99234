/**
 * The durable outbox of a local user's notification receipts (shown, acked): each event is written and fsynced
 * to `<dir>` before it counts, published with its msgID (a re-send after a lost PubAck is deduplicated, and the
 * backend's projection is idempotent anyway) and deleted only after the PubAck. Kept apart from the result
 * outbox: receipts are small, many and never trimmed.
 */
import { closeSync, fsyncSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "pino";
import * as z from "zod";
import { mkdirPrivate, openPrivateSync } from "../private-files.js";

const entrySchema = z.object({ subject: z.string(), msg_id: z.string(), body: z.string() });
export type OutboxEvent = z.infer<typeof entrySchema>;

const SEQ_WIDTH = 12;
const FILE_RE = /^(\d+)\.json$/;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface EventOutboxDeps {
  dir: string;
  js: Pick<JetStreamClient, "publish">;
  log: Logger;
  isConnected(): boolean;
}

export class EventOutbox {
  private seq = 0;
  private draining: Promise<void> | undefined;
  private again = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: EventOutboxDeps) {
    mkdirPrivate(deps.dir);
    for (const name of this.names()) this.seq = Math.max(this.seq, Number(FILE_RE.exec(name)?.[1] ?? 0));
  }

  /** Durable when it returns; publishing follows (`drain`). */
  put(event: OutboxEvent): void {
    this.seq += 1;
    const name = `${String(this.seq).padStart(SEQ_WIDTH, "0")}.json`;
    const tmp = join(this.deps.dir, `${name}.tmp`);
    const fd = openPrivateSync(tmp);
    try {
      writeSync(fd, JSON.stringify(event));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.deps.dir, name));
    void this.drain();
  }

  pending(): number {
    return this.names().length;
  }

  /** Publishes everything in order; callers during a pass ask for one more pass. */
  drain(): Promise<void> {
    this.again = true;
    if (this.draining) return this.draining;
    this.draining = (async () => {
      try {
        while (this.again && !this.stopped) {
          this.again = false;
          if (!(await this.drainOnce())) return;
        }
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async drainOnce(): Promise<boolean> {
    for (const name of this.names()) {
      if (this.stopped || !this.deps.isConnected()) return false;
      const path = join(this.deps.dir, name);
      const parsed = entrySchema.safeParse(readJson(path));
      if (!parsed.success) {
        this.deps.log.error({ file: name, problem: parsed.error.issues[0]?.message }, "notification receipt in the outbox cannot be read; moved aside");
        renameSync(path, `${path}.bad`);
        continue;
      }
      try {
        await this.deps.js.publish(parsed.data.subject, parsed.data.body, { msgID: parsed.data.msg_id });
      } catch (err) {
        this.deps.log.warn({ err, subject: parsed.data.subject }, "notification receipt publish failed; will retry");
        this.scheduleRetry();
        return false;
      }
      this.retryMs = RETRY_MIN_MS;
      unlinkSync(path);
    }
    return true;
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.drain(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
  }

  private names(): string[] {
    return readdirSync(this.deps.dir).filter((n) => FILE_RE.test(n)).sort();
  }
}

/** The file's JSON, or `{unreadable: <why>}` for the schema to refuse (and the log to say why). */
function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    return { unreadable: (err as Error).message };
  }
}
