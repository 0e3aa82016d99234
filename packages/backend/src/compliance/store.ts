/** Reads the results of check jobs (owned by the results store) as each PC's newest run and its history. */
import type { SqlDatabase } from "../db/database.js";

export interface CheckRunRow {
  pc_id: string;
  result_id: string;
  status: string;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  finished_at: string;
  version: string;
}

export interface ComplianceStore {
  /** Each PC's newest result of the job. */
  latest(jobId: string): CheckRunRow[];
  /** One PC's results of the job, newest first. */
  history(jobId: string, pcId: string, limit: number): CheckRunRow[];
}

const COLS = "r.pc_id, r.result_id, r.status, r.exit_code, r.stdout, r.stderr, r.finished_at, r.version";

export function openComplianceStore(db: SqlDatabase): ComplianceStore {
  const st = {
    latest: db.prepare(
      `SELECT ${COLS} FROM results r
       JOIN (SELECT pc_id, MAX(finished_at) AS f FROM results WHERE job_id = ? GROUP BY pc_id) l ON l.pc_id = r.pc_id AND l.f = r.finished_at
       WHERE r.job_id = ? ORDER BY r.pc_id`,
    ),
    history: db.prepare(`SELECT ${COLS} FROM results r WHERE r.job_id = ? AND r.pc_id = ? ORDER BY r.finished_at DESC, r.result_id DESC LIMIT ?`),
  };
  return {
    latest: (jobId) => {
      // Two results with the same finish time: keep one per PC.
      const seen = new Set<string>();
      return (st.latest.all(jobId, jobId) as CheckRunRow[]).filter((r) => !seen.has(r.pc_id) && seen.add(r.pc_id));
    },
    history: (jobId, pcId, limit) => st.history.all(jobId, pcId, limit) as CheckRunRow[],
  };
}
