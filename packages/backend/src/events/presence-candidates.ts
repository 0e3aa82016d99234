/**
 * The PCs whose presence may have changed since it was last recorded, read in the database: those with no
 * recorded state, and those whose recorded state differs from what their last heartbeat says now. A tick at
 * 50,000 PCs then reads the handful that changed instead of every agent and every presence row (a second of
 * the backend's time every 15 s, during which it projects nothing). presenceChanges (presence.ts) still decides
 * on each candidate, so the query only has to find a superset of the changes, never judge them.
 *
 * Online means a heartbeat within 3× the interval the PC reported (agents/online.ts). last_seen is always a
 * normalized ISO timestamp, so "online" is `last_seen >= cutoff`, with one cutoff per distinct interval; a fleet
 * reports very few. Past MAX_INTERVALS of them the read falls back to every agent and every presence row.
 */
import type { SqlDatabase } from "../db/handle.js";
import { NO_INTERVAL, onlineCutoff } from "../agents/heartbeat-interval.js";
import type { AgentRecord } from "../agents/store.js";
import type { PresenceRecord } from "./store.js";

export type PresenceAgent = Pick<AgentRecord, "pc_id" | "last_seen" | "heartbeat_interval_secs">;

export interface PresenceCandidates {
  agents: PresenceAgent[];
  recorded: Map<string, PresenceRecord>;
}

/** Distinct intervals past which one query per interval costs more than reading everything. */
export const MAX_INTERVALS = 16;

interface CandidateRow {
  pc_id: string;
  last_seen: string;
  heartbeat_interval_secs: number | null;
  rec_online: number | null;
  rec_changed_at: string | null;
}

export function openPresenceCandidates(db: SqlDatabase): (now: Date) => Promise<PresenceCandidates> {
  const intervals = db.prepare(`SELECT DISTINCT COALESCE(heartbeat_interval_secs, ${NO_INTERVAL}) AS s FROM agents`).pluck();
  const changedFor = db.prepare(
    `SELECT a.pc_id, a.last_seen, a.heartbeat_interval_secs, p.online AS rec_online, p.changed_at AS rec_changed_at
     FROM agents a LEFT JOIN agent_presence p ON p.pc_id = a.pc_id
     WHERE COALESCE(a.heartbeat_interval_secs, ${NO_INTERVAL}) = ?
       AND (p.pc_id IS NULL OR p.online <> CASE WHEN a.last_seen >= ? THEN 1 ELSE 0 END)`,
  );
  const everything = db.prepare(
    `SELECT a.pc_id, a.last_seen, a.heartbeat_interval_secs, p.online AS rec_online, p.changed_at AS rec_changed_at
     FROM agents a LEFT JOIN agent_presence p ON p.pc_id = a.pc_id`,
  );
  return async (now) => {
    const found = intervals.all() as number[];
    const rows: CandidateRow[] =
      found.length > MAX_INTERVALS
        ? (everything.all() as CandidateRow[])
        : found.flatMap((s) => changedFor.all(s, onlineCutoff(Number(s), now)) as CandidateRow[]);
    const recorded = new Map<string, PresenceRecord>();
    for (const r of rows) {
      if (r.rec_online !== null && r.rec_changed_at !== null) recorded.set(r.pc_id, { pc_id: r.pc_id, online: Number(r.rec_online) === 1, changed_at: r.rec_changed_at });
    }
    return {
      agents: rows.map((r) => ({ pc_id: r.pc_id, last_seen: r.last_seen, heartbeat_interval_secs: r.heartbeat_interval_secs === null ? null : Number(r.heartbeat_interval_secs) })),
      recorded,
    };
  };
}
