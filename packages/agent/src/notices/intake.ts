/**
 * Notice intake, like command intake: core subscriptions on this PC's notification subjects (its own, the
 * fleet's and each of its groups') for what is published while it is connected, plus a catch-up read of the
 * NOTIFICATIONS stream for each subject at start, after every reconnect and when a group is joined — an ordered
 * consumer read to the end and deleted (nats-server 2.9 takes one filter per consumer), so a fleet does not
 * keep thousands of consumers open. An agent that was offline so gets every notice still in the stream; the
 * book keeps only what is new, so a notice read both ways counts once.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { isGroupName, notificationMessageSchema, STREAMS, subjects, type NotificationMessage } from "@kanade/protocol/wire";
import { safeJson } from "../safe-json.js";

const RETRY_MS = 5_000;
const BATCH = 200;
/** How long one catch-up read waits for more; a subject with nothing in the stream costs this once. */
const FETCH_EXPIRES_MS = 1_000;

export interface NoticeIntakeDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  pcId: string;
  log: Logger;
  onMessage(msg: NotificationMessage, subject: string): void;
  retryMs?: number;
}

export class NoticeIntake {
  private readonly subs = new Map<string, Subscription>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** Subjects whose catch-up failed since it last worked: said once at warn, then at debug. */
  private readonly failing = new Set<string>();
  private started = false;
  private stopped = false;

  constructor(private readonly deps: NoticeIntakeDeps) {}

  start(groups: readonly string[]): void {
    this.started = true;
    this.follow(subjects.notificationsPc(this.deps.pcId));
    this.follow(subjects.notificationsAll());
    this.setGroups(groups);
  }

  /** Follows a membership change: a joined group's notices still in the stream are read too. */
  setGroups(groups: readonly string[]): void {
    if (!this.started || this.stopped) return;
    const wanted = new Set(groups.filter(isGroupName).map((g) => subjects.notificationsGroup(g)));
    for (const [subject, sub] of this.subs) {
      if (subject.startsWith(subjects.notificationsGroup("")) && !wanted.has(subject)) {
        sub.unsubscribe();
        this.subs.delete(subject);
        clearTimeout(this.retries.get(subject));
        this.retries.delete(subject);
      }
    }
    for (const s of wanted) this.follow(s);
  }

  /** After a reconnect: whatever was published while away. */
  catchUpAll(): void {
    for (const subject of this.subs.keys()) void this.catchUp(subject);
  }

  stop(): void {
    this.stopped = true;
    for (const sub of this.subs.values()) sub.unsubscribe();
    this.subs.clear();
    for (const t of this.retries.values()) clearTimeout(t);
    this.retries.clear();
  }

  private follow(subject: string): void {
    if (this.subs.has(subject)) return;
    // Subscribed before the catch-up starts, so nothing published in between is missed.
    this.subs.set(subject, this.deps.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) this.deps.log.warn({ err, subject }, "notification subscription error");
        else this.receive(subject, msg.data);
      },
    }));
    void this.catchUp(subject);
  }

  private async catchUp(subject: string): Promise<void> {
    const { js, log } = this.deps;
    try {
      const consumer = await js.consumers.get(STREAMS.NOTIFICATIONS, { filter_subjects: subject });
      try {
        for (let more = true; more && !this.stopped && this.subs.has(subject); ) {
          more = false;
          const batch = await consumer.fetch({ max_messages: BATCH, expires: FETCH_EXPIRES_MS });
          for await (const m of batch) {
            this.receive(subject, m.data);
            // The last one in the stream for this subject: done, without waiting for the fetch to expire.
            if (m.info.pending === 0) break;
            more = true;
          }
        }
        this.failing.delete(subject);
      } finally {
        await consumer.delete().catch((err: unknown) => log.debug({ err, subject }, "could not delete the catch-up consumer; it expires on its own"));
      }
    } catch (err) {
      if (this.stopped || !this.subs.has(subject)) return;
      // Usually the backend has not created the stream yet: say so once, not every retry.
      (this.failing.has(subject) ? log.debug.bind(log) : log.warn.bind(log))({ err, subject }, "could not read the notifications kept for this PC; retrying");
      this.failing.add(subject);
      clearTimeout(this.retries.get(subject));
      const t = setTimeout(() => {
        this.retries.delete(subject);
        void this.catchUp(subject);
      }, this.deps.retryMs ?? RETRY_MS);
      t.unref();
      this.retries.set(subject, t);
    }
  }

  private receive(subject: string, data: Uint8Array): void {
    const r = notificationMessageSchema.safeParse(safeJson(data));
    if (!r.success) {
      this.deps.log.warn({ subject }, "dropped a notification message that does not match the contract");
      return;
    }
    this.deps.onMessage(r.data, subject);
  }
}
