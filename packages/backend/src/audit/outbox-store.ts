/**
 * `audit_outbox`: audit records made durable in the database before (or with) the change they describe, and
 * published to AUDIT by the relay. A row is `ready` once its change happened; a row left not-ready by a
 * crash is published with an unknown outcome, so no change goes unaudited.
 */
import type { AuditRecord } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

export interface AuditOutboxStore {
  add(event: AuditRecord, ready: boolean): Promise<void>;
  /** Marks a change done, replacing the action and payload with their final values. */
  ready(id: string, final: Pick<AuditRecord, "action" | "payload_summary">): Promise<void>;
  remove(id: string): Promise<void>;
  /** The oldest ready records first (ids are UUIDv7, so id order is time order). */
  nextReady(limit: number): Promise<AuditRecord[]>;
  count(): Promise<number>;
  /** At start: records of changes a crash interrupted become ready, saying their outcome is unknown. */
  settleInterrupted(note: string): Promise<number>;
}

/** The insert other stores run inside their own transactions, so a change and its audit record commit together. */
export interface AuditOutboxWriter {
  insert(event: AuditRecord): void;
}

interface OutboxRow {
  id: string;
  event: string;
}

export function auditOutboxWriter(db: SqlDatabase): AuditOutboxWriter {
  const insert = db.prepare(`INSERT INTO audit_outbox (id, event, ready) VALUES (?, ?, 1)`);
  return { insert: (e) => void insert.run(e.id, JSON.stringify(e)) };
}

export function openAuditOutboxStore(db: SqlDatabase): AuditOutboxStore {
  const st = {
    insert: db.prepare(`INSERT INTO audit_outbox (id, event, ready) VALUES (?, ?, ?)`),
    get: db.prepare(`SELECT id, event FROM audit_outbox WHERE id = ?`),
    setReady: db.prepare(`UPDATE audit_outbox SET event = ?, ready = 1 WHERE id = ?`),
    remove: db.prepare(`DELETE FROM audit_outbox WHERE id = ?`),
    next: db.prepare(`SELECT id, event FROM audit_outbox WHERE ready = 1 ORDER BY id LIMIT ?`),
    count: db.prepare(`SELECT COUNT(*) FROM audit_outbox`).pluck(),
    interrupted: db.prepare(`SELECT id, event FROM audit_outbox WHERE ready = 0`),
  };
  const parse = (r: OutboxRow): AuditRecord => JSON.parse(r.event) as AuditRecord;
  const settle = db.transaction((note: string): number => {
    const rows = st.interrupted.all() as OutboxRow[];
    for (const r of rows) {
      const e = parse(r);
      st.setReady.run(JSON.stringify({ ...e, payload_summary: { ...e.payload_summary, outcome: note } }), r.id);
    }
    return rows.length;
  });
  return {
    add: async (e, ready) => void st.insert.run(e.id, JSON.stringify(e), ready ? 1 : 0),
    ready: async (id, final) => {
      const row = st.get.get(id) as OutboxRow | undefined;
      if (!row) return;
      st.setReady.run(JSON.stringify({ ...parse(row), ...final }), id);
    },
    remove: async (id) => void st.remove.run(id),
    nextReady: async (limit) => (st.next.all(limit) as OutboxRow[]).map(parse),
    count: async () => st.count.get() as number,
    settleInterrupted: async (note) => settle(note),
  };
}
