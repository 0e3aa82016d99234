/** `audit_log`: the AUDIT stream projected for queries (`GET /api/audit`), one row per event id. */
import type { AuditRecord } from "@kanade/protocol";
import type { PageKey } from "../cursor.js";
import type { SqlDatabase } from "../db/database.js";
import { where } from "../db/where.js";

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  /**
   * A caller scoped by permission groups: only entries it made, or about its PCs, its PC groups, or executions
   * whose every target is one of its PCs (the same rule as the answer filter in governance/scope-hook.ts).
   */
  scopedTo?: { actor: string; pcs: readonly string[]; groups: readonly string[] };
}

/** An event as the projector hands it over: with its AUDIT stream sequence when it came from the stream. */
export type ProjectedAuditRecord = AuditRecord & { stream_seq?: number };

export interface AuditLogStore {
  /** Inserts events not seen before (by id); returns how many were new. */
  insertAudit(events: readonly ProjectedAuditRecord[]): Promise<number>;
  /** Newest first. A trailing `*` in actor, action or target matches a prefix (`exec.*`). */
  listAudit(opts: AuditFilter & { limit: number; after?: PageKey }): Promise<AuditRecord[]>;
}

type AuditDbRow = Omit<AuditRecord, "payload_summary"> & { payload_summary: string };

export function openAuditLogStore(db: SqlDatabase): AuditLogStore {
  const insert = db.prepare(
    `INSERT INTO audit_log (id, at, actor, action, target, payload_summary, source_ip, stream_seq)
     VALUES (@id, @at, @actor, @action, @target, @payload_summary, @source_ip, @stream_seq) ON CONFLICT (id) DO NOTHING`,
  );
  const insertAll = db.transaction((events: readonly ProjectedAuditRecord[]) => {
    let n = 0;
    for (const e of events) {
      n += insert.run({
        ...e,
        at: new Date(e.at).toISOString(),
        payload_summary: JSON.stringify(e.payload_summary),
        stream_seq: e.stream_seq ?? null,
      }).changes;
    }
    return n;
  });
  return {
    insertAudit: async (events) => (events.length ? insertAll(events) : 0),
    listAudit: async (opts) => {
      const w = where({ limit: opts.limit });
      const add = w.add;
      for (const k of ["actor", "action", "target"] as const) {
        const v = opts[k];
        if (v === undefined) continue;
        if (v.endsWith("*")) add(`${k} LIKE @${k} ESCAPE '\\'`, { [k]: v.slice(0, -1).replace(/[\\%_]/g, "\\$&") + "%" });
        else add(`${k} = @${k}`, { [k]: v });
      }
      if (opts.since) add("at >= @since", { since: opts.since });
      if (opts.until) add("at < @until", { until: opts.until });
      if (opts.after) add("(at, id) < (@a_at, @a_id)", { a_at: opts.after.at, a_id: opts.after.id });
      if (opts.scopedTo) {
        add(
          `(actor = @s_actor OR target IN (SELECT value FROM json_each(@s_names))
            OR target IN (SELECT e.exec_id FROM executions e
              WHERE EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = e.exec_id)
                AND NOT EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = e.exec_id AND t.pc_id NOT IN (SELECT value FROM json_each(@s_pcs)))))`,
          { s_actor: opts.scopedTo.actor, s_names: JSON.stringify([...opts.scopedTo.pcs, ...opts.scopedTo.groups]), s_pcs: JSON.stringify(opts.scopedTo.pcs) },
        );
      }
      const sql = `SELECT id, at, actor, action, target, payload_summary, source_ip FROM audit_log
                   ${w.sql()} ORDER BY at DESC, id DESC LIMIT @limit`;
      return (db.prepare(sql).all(w.params) as AuditDbRow[]).map((r) => ({
        ...r,
        payload_summary: JSON.parse(r.payload_summary) as Record<string, unknown>,
      }));
    },
  };
}
