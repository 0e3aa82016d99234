/**
 * Notices for the people at this PC: the stream (intake.ts) fills the book (book.ts); KLP sessions list,
 * acknowledge and are told of changes through the desk, which reports "shown" and "acked" back as events
 * through a durable outbox (event-outbox.ts).
 */
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { subjects, type NotificationEvent, type NotificationEventKind, type NotificationMessage } from "@kanade/protocol/wire";
import type { KlpNotice } from "@kanade/protocol/klp";
import { NoticeBook, type BookChange } from "./book.js";
import { EventOutbox } from "./event-outbox.js";
import { NoticeIntake } from "./intake.js";

/** How often expiry is looked for (a client is told when a notice it shows has expired). */
const SWEEP_MS = 30_000;

export type NoticeChange = { kind: "new"; notice: KlpNotice } | { kind: "gone"; id: string; reason: "withdrawn" | "expired" };

export interface NoticeDeskDeps {
  pcId: string;
  dataDir: string;
  nc: NatsConnection;
  log: Logger;
  isConnected(): boolean;
  now?: () => number;
}

export class NoticeDesk {
  private readonly book: NoticeBook;
  private readonly outbox: EventOutbox;
  private readonly intake: NoticeIntake;
  private readonly listeners = new Set<(c: NoticeChange) => void>();
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: NoticeDeskDeps) {
    const log = deps.log.child({ component: "notices" });
    this.now = deps.now ?? Date.now;
    this.book = new NoticeBook(join(deps.dataDir, "state", "notifications.json"), log, this.now);
    const js = jetstream(deps.nc);
    this.outbox = new EventOutbox({ dir: join(deps.dataDir, "notifications-outbox"), js, log, isConnected: deps.isConnected });
    this.intake = new NoticeIntake({ nc: deps.nc, js, pcId: deps.pcId, log, onMessage: (m) => this.receive(m) });
  }

  start(groups: readonly string[]): void {
    this.intake.start(groups);
    void this.outbox.drain();
    void this.followStatus();
    this.sweeper = setInterval(() => {
      for (const id of this.book.sweep()) this.tell({ kind: "gone", id, reason: "expired" });
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  setGroups(groups: readonly string[]): void {
    this.intake.setGroups(groups);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    this.intake.stop();
    this.outbox.stop();
  }

  onChange(fn: (c: NoticeChange) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** What `user` should see now; each is recorded (and reported) as shown to them. */
  list(user: string): KlpNotice[] {
    const notices = this.book.visibleFor(user);
    this.shown(user, notices.map((n) => n.id));
    return notices;
  }

  /** A notice was pushed to `user`'s client. */
  shown(user: string, ids: readonly string[]): void {
    const at = new Date(this.now()).toISOString();
    for (const id of this.book.markShown(user, ids, at)) this.report("shown", user, id, at);
  }

  /** Undefined when there is no such notice to acknowledge (unknown, expired or withdrawn). */
  ack(user: string, id: string): { id: string; acked_at: string } | undefined {
    if (!this.book.isVisible(id)) return undefined;
    const r = this.book.ack(user, id, new Date(this.now()).toISOString());
    if (r.fresh) this.report("acked", user, id, r.acked_at);
    return { id, acked_at: r.acked_at };
  }

  /** Receipts not yet published. */
  pendingReceipts(): number {
    return this.outbox.pending();
  }

  /** After a reconnect: publish the receipts that waited, and read what was published while away. */
  private async followStatus(): Promise<void> {
    for await (const s of this.deps.nc.status()) {
      if (s.type !== "reconnect" || this.stopped) continue;
      void this.outbox.drain();
      this.intake.catchUpAll();
    }
  }

  private receive(msg: NotificationMessage): void {
    const change: BookChange | undefined = this.book.apply(msg);
    if (!change) return;
    if (change.kind === "gone") return this.tell(change);
    const { kind: _k, target: _t, created_by: _b, ...n } = change.notice;
    this.tell({ kind: "new", notice: { ...n, acked_at: null } });
  }

  private tell(c: NoticeChange): void {
    for (const fn of this.listeners) fn(c);
  }

  private report(kind: NotificationEventKind, user: string, id: string, at: string): void {
    const event: NotificationEvent = { kind, notif_id: id, pc_id: this.deps.pcId, user, at };
    const subject = kind === "acked" ? subjects.notificationAcked(this.deps.pcId, user, id) : subjects.notificationShown(this.deps.pcId, user, id);
    this.outbox.put({ subject, msg_id: `${kind}:${this.deps.pcId}:${user}:${id}`, body: JSON.stringify(event) });
  }
}
