/**
 * The notices this PC holds and what each local user did with them, in one plain file
 * (`<data_dir>/state/notifications.json`, written atomically). A notice is visible while it is neither
 * expired nor withdrawn; "shown" and "acked" are recorded per user once, the first time.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Logger } from "pino";
import * as z from "zod";
import { notificationNoticeSchema, type NotificationMessage, type NotificationNotice } from "@kanade/protocol/wire";
import type { KlpNotice } from "@kanade/protocol/klp";
import { writeFileAtomicSync } from "../fs-atomic.js";

const receiptSchema = z.object({ shown_at: z.string().optional(), acked_at: z.string().optional() });
const fileSchema = z.object({
  notices: z.record(z.string(), notificationNoticeSchema),
  /** id → withdrawn_at; kept so a replayed notice stays withdrawn. */
  withdrawn: z.record(z.string(), z.string()),
  users: z.record(z.string(), z.record(z.string(), receiptSchema)),
});
type BookFile = z.infer<typeof fileSchema>;

/** Withdrawn and long-expired entries are forgotten after the NOTIFICATIONS stream's 90 days. */
const FORGET_AFTER_MS = 91 * 86_400_000;

export type BookChange = { kind: "new"; notice: NotificationNotice } | { kind: "gone"; id: string; reason: "withdrawn" | "expired" };

export class NoticeBook {
  private data: BookFile = { notices: {}, withdrawn: {}, users: {} };
  /** Ids announced as expired, so each expiry is pushed once. */
  private readonly expiredSeen = new Set<string>();

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (!existsSync(path)) return;
    try {
      const r = fileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
      if (r.success) this.data = r.data;
      else log.warn({ path }, "notifications state does not match its schema; starting empty (the stream brings notices back)");
    } catch (err) {
      log.warn({ err, path }, "notifications state cannot be read; starting empty (the stream brings notices back)");
    }
    for (const n of Object.values(this.data.notices)) if (this.expired(n)) this.expiredSeen.add(n.id);
  }

  /** Applies one stream message; answers the change a client should see, if any. */
  apply(msg: NotificationMessage): BookChange | undefined {
    if (msg.kind === "withdrawn") {
      if (this.data.withdrawn[msg.id]) return undefined;
      this.data.withdrawn[msg.id] = msg.withdrawn_at;
      const was = this.data.notices[msg.id];
      this.save();
      return was && !this.expired(was) ? { kind: "gone", id: msg.id, reason: "withdrawn" } : undefined;
    }
    // The same notice arrives once per subject it was sent to (PC, group, fleet), and again on every start.
    if (this.data.notices[msg.id] || this.data.withdrawn[msg.id]) return undefined;
    if (this.now() - Date.parse(msg.expires_at) > FORGET_AFTER_MS) return undefined;
    this.data.notices[msg.id] = msg;
    this.save();
    if (this.expired(msg)) {
      this.expiredSeen.add(msg.id);
      return undefined;
    }
    return { kind: "new", notice: msg };
  }

  /** Notices `user` should see now, newest first. */
  visibleFor(user: string): KlpNotice[] {
    return Object.values(this.data.notices)
      .filter((n) => this.visible(n))
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id))
      .map((n) => this.view(n, user));
  }

  isVisible(id: string): boolean {
    const n = this.data.notices[id];
    return n !== undefined && this.visible(n);
  }

  view(n: NotificationNotice, user: string): KlpNotice {
    return {
      id: n.id, priority: n.priority, require_ack: n.require_ack, title: n.title, body: n.body, expires_at: n.expires_at, created_at: n.created_at,
      acked_at: this.data.users[user]?.[n.id]?.acked_at ?? null,
    };
  }

  /** Records the first time `user` was shown each of `ids`; answers those that were new. */
  markShown(user: string, ids: readonly string[], at: string): string[] {
    const mine = (this.data.users[user] ??= {});
    const fresh = ids.filter((id) => mine[id]?.shown_at === undefined);
    for (const id of fresh) mine[id] = { ...mine[id], shown_at: at };
    if (fresh.length > 0) this.save();
    return fresh;
  }

  /** Records the acknowledgement; answers its time and whether it is new. */
  ack(user: string, id: string, at: string): { acked_at: string; fresh: boolean } {
    const mine = (this.data.users[user] ??= {});
    const before = mine[id]?.acked_at;
    if (before) return { acked_at: before, fresh: false };
    mine[id] = { shown_at: mine[id]?.shown_at ?? at, acked_at: at };
    this.save();
    return { acked_at: at, fresh: true };
  }

  /** Notices that expired since the last call (each answered once); forgets entries past the stream's age. */
  sweep(): string[] {
    const out: string[] = [];
    let changed = false;
    const now = this.now();
    for (const n of Object.values(this.data.notices)) {
      if (this.expired(n) && !this.expiredSeen.has(n.id)) {
        this.expiredSeen.add(n.id);
        if (!this.data.withdrawn[n.id]) out.push(n.id);
      }
      if (now - Date.parse(n.expires_at) > FORGET_AFTER_MS) {
        delete this.data.notices[n.id];
        for (const u of Object.values(this.data.users)) delete u[n.id];
        changed = true;
      }
    }
    for (const [id, at] of Object.entries(this.data.withdrawn)) {
      if (now - Date.parse(at) > FORGET_AFTER_MS) {
        delete this.data.withdrawn[id];
        changed = true;
      }
    }
    if (changed) this.save();
    return out;
  }

  private expired(n: NotificationNotice): boolean {
    return Date.parse(n.expires_at) <= this.now();
  }

  private visible(n: NotificationNotice): boolean {
    return !this.expired(n) && this.data.withdrawn[n.id] === undefined;
  }

  private save(): void {
    try {
      writeFileAtomicSync(this.path, JSON.stringify(this.data));
    } catch (err) {
      this.log.error({ err, path: this.path }, "cannot write the notifications state");
    }
  }
}
