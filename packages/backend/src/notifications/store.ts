/** Notifications and their receipts in SQLite (migration 011-notifications). */
import type { NotificationEvent, NotificationManifest } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

export interface NotificationRow {
  id: string;
  priority: NotificationManifest["priority"];
  require_ack: boolean;
  title: string;
  body: string;
  expires_at: string;
  target: NotificationManifest["target"];
  yaml: string;
  created_at: string;
  created_by: string;
  published_at: string | null;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
  withdrawal_published_at: string | null;
}

export interface ReceiptRow {
  pc_id: string;
  user: string;
  shown_at: string | null;
  acked_at: string | null;
}

export interface NotificationStore {
  /** False when the id is taken. */
  insert(row: NotificationRow): boolean;
  remove(id: string): void;
  get(id: string): NotificationRow | undefined;
  list(limit: number): NotificationRow[];
  markPublished(id: string, at: string): void;
  setWithdrawn(id: string, at: string | null, by: string | null): void;
  markWithdrawalPublished(id: string, at: string): void;
  /** Rows a stopped backend left unpublished (notice or withdrawal). */
  unpublished(): NotificationRow[];
  receipts(id: string): ReceiptRow[];
  ackedCounts(ids: readonly string[]): Map<string, number>;
  /** Idempotent: the earliest shown and acked times are kept; an ack counts as shown. */
  project(events: readonly NotificationEvent[]): void;
}

type Raw = Omit<NotificationRow, "require_ack" | "target"> & { require_ack: number; target: string };
const COLS = "id, priority, require_ack, title, body, expires_at, target, yaml, created_at, created_by, published_at, withdrawn_at, withdrawn_by, withdrawal_published_at";
const fromRaw = (r: Raw): NotificationRow => ({ ...r, require_ack: r.require_ack === 1, target: JSON.parse(r.target) as NotificationRow["target"] });

export function openNotificationStore(db: SqlDatabase): NotificationStore {
  const insert = db.prepare(`INSERT INTO notifications (${COLS}) VALUES (@id, @priority, @require_ack, @title, @body, @expires_at, @target, @yaml, @created_at, @created_by, @published_at, @withdrawn_at, @withdrawn_by, @withdrawal_published_at) ON CONFLICT DO NOTHING`);
  const one = db.prepare(`SELECT ${COLS} FROM notifications WHERE id = ?`);
  const upsert = db.prepare(`INSERT INTO notification_receipts AS r (notif_id, pc_id, user, shown_at, acked_at) VALUES (@notif_id, @pc_id, @user, @shown_at, @acked_at)
    ON CONFLICT (notif_id, pc_id, user) DO UPDATE SET
      shown_at = CASE WHEN r.shown_at IS NULL OR excluded.shown_at < r.shown_at THEN COALESCE(excluded.shown_at, r.shown_at) ELSE r.shown_at END,
      acked_at = CASE WHEN r.acked_at IS NULL OR excluded.acked_at < r.acked_at THEN COALESCE(excluded.acked_at, r.acked_at) ELSE r.acked_at END`);
  return {
    insert: (row) => insert.run({ ...row, require_ack: row.require_ack ? 1 : 0, target: JSON.stringify(row.target) }).changes === 1,
    remove: (id) => void db.prepare("DELETE FROM notifications WHERE id = ?").run(id),
    get: (id) => {
      const r = one.get(id) as Raw | undefined;
      return r && fromRaw(r);
    },
    list: (limit) => (db.prepare(`SELECT ${COLS} FROM notifications ORDER BY created_at DESC, id DESC LIMIT ?`).all(limit) as Raw[]).map(fromRaw),
    markPublished: (id, at) => void db.prepare("UPDATE notifications SET published_at = ? WHERE id = ?").run(at, id),
    setWithdrawn: (id, at, by) => void db.prepare("UPDATE notifications SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ?").run(at, by, id),
    markWithdrawalPublished: (id, at) => void db.prepare("UPDATE notifications SET withdrawal_published_at = ? WHERE id = ?").run(at, id),
    unpublished: () =>
      (db.prepare(`SELECT ${COLS} FROM notifications WHERE published_at IS NULL OR (withdrawn_at IS NOT NULL AND withdrawal_published_at IS NULL)`).all() as Raw[]).map(fromRaw),
    receipts: (id) => db.prepare("SELECT pc_id, user, shown_at, acked_at FROM notification_receipts WHERE notif_id = ? ORDER BY pc_id, user").all(id) as ReceiptRow[],
    ackedCounts: (ids) => {
      const out = new Map<string, number>();
      if (ids.length === 0) return out;
      const rows = db
        .prepare(`SELECT notif_id, COUNT(*) AS n FROM notification_receipts WHERE acked_at IS NOT NULL AND notif_id IN (${ids.map(() => "?").join(",")}) GROUP BY notif_id`)
        .all(...ids) as { notif_id: string; n: number }[];
      for (const r of rows) out.set(r.notif_id, r.n);
      return out;
    },
    project: (events) =>
      db.transaction(() => {
        for (const e of events) {
          upsert.run({ notif_id: e.notif_id, pc_id: e.pc_id, user: e.user, shown_at: e.at, acked_at: e.kind === "acked" ? e.at : null });
        }
      })(),
  };
}
