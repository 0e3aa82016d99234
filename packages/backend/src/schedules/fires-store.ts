/**
 * SQLite store of the schedules module. Owns `schedule_fires` (one unique row per claimed occurrence, per PC
 * or for the whole target) and `schedule_pc_state` (the newest fire per PC, derived from it); reads
 * `results`, `started`, `executions` and `execution_targets` to tell what the fired PCs answered.
 */
import type { ResultStatus } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

/** One claimed fire. `pc_id` is "" for a fire at the whole target; `exec_id` null while it waits its turn. */
// A type, not an interface: it is passed whole as named SQL parameters.
export type FireRow = {
  schedule_id: string;
  occurrence: string;
  pc_id: string;
  exec_id: string | null;
  fired_at: string;
  deadline_at: string | null;
};

/** A PC's newest fire of a schedule and what the PC answered to it. */
export interface PcFireState {
  pc_id: string;
  occurrence: string;
  exec_id: string | null;
  fired_at: string;
  deadline_at: string | null;
  status: ResultStatus | null;
  exit_code: number | null;
  finished_at: string | null;
  version: string | null;
  started: boolean;
}

/** A result of a per-PC fire, with the fire it answers (schedule_pc_state as it is now). */
export interface PcAnswer extends Omit<PcFireState, "started"> {
  schedule_id: string;
}

export interface FiresStore {
  /** Inserts the rows that are not there yet, all in one transaction; answers the ones this call inserted. */
  claim(rows: readonly FireRow[]): FireRow[];
  /** Gives a queued per-PC row (exec_id null) an exec; false when another backend took it first. */
  take(row: Pick<FireRow, "schedule_id" | "occurrence" | "pc_id">, execId: string, firedAt: string, deadlineAt: string | null): boolean;
  /**
   * Forgets the fires of an exec that never started, so their occurrences are due again; `requeue` puts
   * rows taken from a rolling fan-out's queue back in it instead.
   */
  release(execId: string, requeue: boolean): void;
  /** Fires whose exec_id names no execution (a backend stopped between claim and launch), older than `before`. */
  releaseOrphans(before: string): number;
  pcStates(scheduleId: string): PcFireState[];
  /** Where the results table ends now: pass it to `answersSince` to read only what arrives later. */
  resultsCursor(): number;
  /**
   * The results inserted after `cursor` that answer a PC's newest fire of a schedule, and the new cursor. Reads
   * only the new rows (the results' rowid range), so it costs what arrived, not what is stored.
   */
  answersSince(cursor: number): { answers: PcAnswer[]; cursor: number };
  /** Per-PC rows still waiting their turn (max_concurrent), oldest first. */
  queued(scheduleId: string, occurrence: string, limit: number): FireRow[];
  /** The newest fire at the whole target, if any. */
  lastWholeFire(scheduleId: string): FireRow | undefined;
  /** What each PC expected by an exec answered (for a whole-target fire). */
  execStates(execId: string): PcFireState[];
  recentFires(scheduleId: string, limit: number): FireRow[];
  /** Execs of this schedule that are still running (for disable --cascade). */
  runningExecs(scheduleId: string): { exec_id: string }[];
  forget(scheduleId: string): void;
}

const RESULT_COLS = `r.status AS status, r.exit_code AS exit_code, r.finished_at AS finished_at, r.version AS version`;
// The newest result of a PC for an exec (normally the only one).
const RESULT_JOIN = (exec: string, pc: string) =>
  `LEFT JOIN results r ON r.result_id = (SELECT result_id FROM results WHERE exec_id = ${exec} AND pc_id = ${pc} ORDER BY finished_at DESC LIMIT 1)`;

interface StateDbRow extends Omit<PcFireState, "started"> {
  started: number;
}
const toState = (r: StateDbRow): PcFireState => ({ ...r, started: r.started === 1 });

export function openFiresStore(db: SqlDatabase): FiresStore {
  const st = {
    insert: db.prepare(
      `INSERT INTO schedule_fires (schedule_id, occurrence, pc_id, exec_id, fired_at, deadline_at)
       VALUES (@schedule_id, @occurrence, @pc_id, @exec_id, @fired_at, @deadline_at) ON CONFLICT DO NOTHING`,
    ),
    upsertState: db.prepare(
      `INSERT INTO schedule_pc_state (schedule_id, pc_id, occurrence, exec_id, fired_at, deadline_at)
       VALUES (@schedule_id, @pc_id, @occurrence, @exec_id, @fired_at, @deadline_at)
       ON CONFLICT (schedule_id, pc_id) DO UPDATE SET occurrence = excluded.occurrence, exec_id = excluded.exec_id,
         fired_at = excluded.fired_at, deadline_at = excluded.deadline_at`,
    ),
    take: db.prepare(
      `UPDATE schedule_fires SET exec_id = @exec_id, fired_at = @fired_at, deadline_at = @deadline_at
       WHERE schedule_id = @schedule_id AND occurrence = @occurrence AND pc_id = @pc_id AND exec_id IS NULL`,
    ),
    firesOfExec: db.prepare(`SELECT schedule_id, pc_id FROM schedule_fires WHERE exec_id = ?`),
    deleteExec: db.prepare(`DELETE FROM schedule_fires WHERE exec_id = ?`),
    requeueExec: db.prepare(`UPDATE schedule_fires SET exec_id = NULL WHERE exec_id = ?`),
    // Rows of a rolling fan-out sit under a marker row ('' pc) that never gets an exec.
    isQueuedRow: db.prepare(
      `SELECT 1 FROM schedule_fires f JOIN schedule_fires m ON m.schedule_id = f.schedule_id AND m.occurrence = f.occurrence
         AND m.pc_id = '' AND m.exec_id IS NULL
       WHERE f.exec_id = ? LIMIT 1`,
    ),
    newestFire: db.prepare(
      `SELECT * FROM schedule_fires WHERE schedule_id = ? AND pc_id = ? AND exec_id IS NOT NULL ORDER BY fired_at DESC LIMIT 1`,
    ),
    deleteState: db.prepare(`DELETE FROM schedule_pc_state WHERE schedule_id = ? AND pc_id = ?`),
    orphans: db.prepare(
      `SELECT DISTINCT exec_id FROM schedule_fires f WHERE exec_id IS NOT NULL AND fired_at < ?
         AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.exec_id = f.exec_id)
         AND NOT EXISTS (SELECT 1 FROM rollouts r WHERE r.rollout_id = f.exec_id)`,
    ),
    // A plain join on (exec_id, pc_id) (index results_exec_pc); the rare second result of a PC is folded in JS.
    pcStates: db.prepare(
      `SELECT p.pc_id, p.occurrence, p.exec_id, p.fired_at, p.deadline_at, ${RESULT_COLS},
         EXISTS (SELECT 1 FROM started s WHERE s.exec_id = p.exec_id AND s.pc_id = p.pc_id) AS started
       FROM schedule_pc_state p LEFT JOIN results r ON r.exec_id = p.exec_id AND r.pc_id = p.pc_id
       WHERE p.schedule_id = ?`,
    ),
    resultsEnd: db.prepare(`SELECT COALESCE(MAX(rowid), 0) FROM results`).pluck(),
    answers: db.prepare(
      `SELECT p.schedule_id, p.pc_id, p.occurrence, p.exec_id, p.fired_at, p.deadline_at, ${RESULT_COLS}
       FROM results r JOIN schedule_pc_state p ON p.exec_id = r.exec_id AND p.pc_id = r.pc_id
       WHERE r.rowid > ? AND r.rowid <= ?`,
    ),
    queued: db.prepare(
      `SELECT * FROM schedule_fires WHERE schedule_id = ? AND occurrence = ? AND pc_id <> '' AND exec_id IS NULL
       ORDER BY pc_id LIMIT ?`,
    ),
    lastWhole: db.prepare(`SELECT * FROM schedule_fires WHERE schedule_id = ? AND pc_id = '' AND exec_id IS NOT NULL ORDER BY fired_at DESC LIMIT 1`),
    execStates: db.prepare(
      `SELECT t.pc_id AS pc_id, '' AS occurrence, t.exec_id AS exec_id, e.created_at AS fired_at, NULL AS deadline_at, ${RESULT_COLS},
         EXISTS (SELECT 1 FROM started s WHERE s.exec_id = t.exec_id AND s.pc_id = t.pc_id) AS started
       FROM execution_targets t JOIN executions e ON e.exec_id = t.exec_id ${RESULT_JOIN("t.exec_id", "t.pc_id")}
       WHERE t.exec_id = ?`,
    ),
    recent: db.prepare(`SELECT * FROM schedule_fires WHERE schedule_id = ? ORDER BY fired_at DESC, pc_id LIMIT ?`),
    running: db.prepare(
      `SELECT DISTINCT f.exec_id AS exec_id FROM schedule_fires f JOIN executions e ON e.exec_id = f.exec_id
       WHERE f.schedule_id = ? AND e.state IN ('running', 'pending_approval')`,
    ),
    forgetFires: db.prepare(`DELETE FROM schedule_fires WHERE schedule_id = ?`),
    forgetState: db.prepare(`DELETE FROM schedule_pc_state WHERE schedule_id = ?`),
  };

  /** Points a PC's state at its newest remaining fire (or removes it). */
  const refresh = (scheduleId: string, pcId: string): void => {
    const newest = st.newestFire.get(scheduleId, pcId) as FireRow | undefined;
    if (newest) st.upsertState.run(newest);
    else st.deleteState.run(scheduleId, pcId);
  };

  const claim = db.transaction((rows: readonly FireRow[]): FireRow[] => {
    const won: FireRow[] = [];
    for (const r of rows) {
      if (st.insert.run(r).changes === 0) continue;
      won.push(r);
      if (r.pc_id !== "" && r.exec_id !== null) st.upsertState.run(r);
    }
    return won;
  });
  const take = db.transaction((row: Pick<FireRow, "schedule_id" | "occurrence" | "pc_id">, execId: string, firedAt: string, deadlineAt: string | null): boolean => {
    const changed = st.take.run({ ...row, exec_id: execId, fired_at: firedAt, deadline_at: deadlineAt }).changes === 1;
    if (changed) st.upsertState.run({ ...row, exec_id: execId, fired_at: firedAt, deadline_at: deadlineAt });
    return changed;
  });
  const release = db.transaction((execId: string, requeue: boolean): void => {
    const rows = st.firesOfExec.all(execId) as { schedule_id: string; pc_id: string }[];
    if (requeue) st.requeueExec.run(execId);
    else st.deleteExec.run(execId);
    for (const r of rows) if (r.pc_id !== "") refresh(r.schedule_id, r.pc_id);
  });
  const forget = db.transaction((scheduleId: string): void => {
    st.forgetFires.run(scheduleId);
    st.forgetState.run(scheduleId);
  });

  return {
    claim,
    take,
    release,
    releaseOrphans: (before) => {
      const ids = (st.orphans.all(before) as { exec_id: string }[]).map((r) => r.exec_id);
      for (const id of ids) release(id, st.isQueuedRow.get(id) !== undefined);
      return ids.length;
    },
    pcStates: (scheduleId) => {
      const byPc = new Map<string, StateDbRow>();
      for (const r of st.pcStates.all(scheduleId) as StateDbRow[]) {
        const seen = byPc.get(r.pc_id);
        if (!seen || (r.finished_at ?? "") > (seen.finished_at ?? "")) byPc.set(r.pc_id, r);
      }
      return [...byPc.values()].map(toState);
    },
    resultsCursor: () => st.resultsEnd.get() as number,
    answersSince: (cursor) => {
      const end = st.resultsEnd.get() as number;
      if (end <= cursor) return { answers: [], cursor: Math.min(cursor, end) };
      return { answers: st.answers.all(cursor, end) as PcAnswer[], cursor: end };
    },
    queued: (scheduleId, occurrence, limit) => st.queued.all(scheduleId, occurrence, limit) as FireRow[],
    lastWholeFire: (scheduleId) => st.lastWhole.get(scheduleId) as FireRow | undefined,
    execStates: (execId) => (st.execStates.all(execId) as StateDbRow[]).map(toState),
    recentFires: (scheduleId, limit) => st.recent.all(scheduleId, limit) as FireRow[],
    runningExecs: (scheduleId) => st.running.all(scheduleId) as { exec_id: string }[],
    forget,
  };
}
