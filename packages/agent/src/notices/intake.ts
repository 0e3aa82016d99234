/**
 * Reads the NOTIFICATIONS stream for this PC: one ordered consumer per subject (its own, the fleet's and each
 * of its groups'; nats-server 2.9 takes one filter per consumer), from the first message kept. An agent that
 * was offline, or just started, so gets every notice still in the stream; the book keeps only what is new.
 * Ordered consumers recover from reconnects by themselves; a missing stream is retried.
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "pino";
import { isGroupName, notificationMessageSchema, STREAMS, subjects, type NotificationMessage } from "@kanade/protocol/wire";
import { safeJson } from "../safe-json.js";

const RETRY_MS = 5_000;

export interface NoticeIntakeDeps {
  js: JetStreamClient;
  pcId: string;
  log: Logger;
  onMessage(msg: NotificationMessage, subject: string): void;
  retryMs?: number;
}

export class NoticeIntake {
  private readonly readers = new Map<string, { stop(): void }>();
  private stopped = false;

  constructor(private readonly deps: NoticeIntakeDeps) {}

  start(groups: readonly string[]): void {
    this.follow(subjects.notificationsPc(this.deps.pcId));
    this.follow(subjects.notificationsAll());
    this.setGroups(groups);
  }

  /** Follows a membership change: a joined group's notices still in the stream are read too. */
  setGroups(groups: readonly string[]): void {
    if (this.stopped) return;
    const wanted = new Set(groups.filter(isGroupName).map((g) => subjects.notificationsGroup(g)));
    for (const [subject, reader] of this.readers) {
      if (subject.startsWith("notifications.group.") && !wanted.has(subject)) {
        reader.stop();
        this.readers.delete(subject);
      }
    }
    for (const s of wanted) this.follow(s);
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.readers.values()) r.stop();
    this.readers.clear();
  }

  private follow(subject: string): void {
    if (this.readers.has(subject)) return;
    let done = false;
    let messages: ConsumerMessages | undefined;
    let timer: NodeJS.Timeout | undefined;
    let failures = 0;
    const { js, log } = this.deps;
    const loop = async (): Promise<void> => {
      while (!done) {
        try {
          const consumer = await js.consumers.get(STREAMS.NOTIFICATIONS, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
          messages = await consumer.consume({
            callback: (m) => {
              const r = notificationMessageSchema.safeParse(safeJson(m.data));
              if (!r.success) {
                log.warn({ subject, seq: m.seq }, "dropped a notification message that does not match the contract");
                return;
              }
              this.deps.onMessage(r.data, subject);
            },
          });
          failures = 0;
          await messages.closed();
        } catch (err) {
          if (!done) (failures++ === 0 ? log.warn.bind(log) : log.debug.bind(log))({ err, subject }, "cannot read notifications; retrying");
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.deps.retryMs ?? RETRY_MS);
          timer.unref();
        });
      }
    };
    this.readers.set(subject, {
      stop: () => {
        done = true;
        clearTimeout(timer);
        void messages?.close();
      },
    });
    void loop();
  }
}
