/** Results and started events (`results`, `started`): written by the projectors, read by the API. */
import type { ExecResult, ResultRecord, ResultStatus, StartedEvent } from "@kanade/protocol";
import type { PageKey } from "../cursor.js";
import type { SqlDatabase } from "../db/database.js";
import { jsonbRows, jsonTextValues } from "../db/dialect.js";
import { isoUtc as iso } from "../db/timestamps.js";

export interface ResultFilter {
  exec_id?: string;
  pc_id?: string;
  job_id?: string;
  status?: ResultStatus;
  /** Only these PCs (a caller scoped by permission groups), as a JSON array. */
  in_pcs?: readonly string[];
}

export interface ResultsStore {
  /** Inserts results not seen before (by result_id); returns how many were new. */
  insertResults(results: readonly ExecResult[]): Promise<number>;
  /**
   * Readies what the first batch would otherwise wait for; PostgreSQL: the background connection, the batch insert's
   * plan and its triggers (a cold session took seconds on a busy server, with a fan-out's first results waiting).
   */
  warmUp(): Promise<void>;
  /** True where `insertResults` runs in the background (PostgreSQL): the projector then decodes the next batch meanwhile. */
  readonly insertsInBackground: boolean;
  getResult(resultId: string): Promise<ResultRecord | undefined>;
  listResults(opts: { limit: number; after?: PageKey } & ResultFilter): Promise<ResultRecord[]>;
  insertStarted(events: readonly StartedEvent[]): Promise<number>;
  countByStatus(): Promise<{ status: string; n: number }[]>;
  isEmpty(): Promise<boolean>;
}

interface ResultDbRow {
  result_id: string;
  exec_id: string;
  request_id: string;
  job_id: string;
  version: string;
  pc_id: string;
  status: ResultRecord["status"];
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: number;
  stderr_truncated: number;
  stdout_object: string | null;
  stderr_object: string | null;
  started_at: string | null;
  finished_at: string;
  duration_ms: number | null;
  skip_reason: string | null;
  error: string | null;
}

export function openResultsStore(db: SqlDatabase): ResultsStore {
  const st = {
    // Bound by position: naming 20 values costs the projector ~10 % of a result's insert (node:sqlite looks each name up).
    insertResult: db.prepare(
      `INSERT INTO results (${RESULT_COLUMNS.join(", ")}) VALUES (${RESULT_COLUMNS.map(() => "?").join(", ")})
       ON CONFLICT (result_id) DO NOTHING`,
    ),
    insertStartedBatch:
      db.engine === "postgres"
        ? db.prepare(
            `INSERT INTO started (exec_id, pc_id, result_id, started_at)
             SELECT exec_id, pc_id, result_id, started_at FROM jsonb_to_recordset(CAST(? AS jsonb)) AS x(exec_id text, pc_id text, result_id text, started_at text)
             ON CONFLICT DO NOTHING`,
          )
        : undefined,
    getResult: db.prepare(`SELECT * FROM results WHERE result_id = ?`),
    insertStarted: db.prepare(`INSERT INTO started (exec_id, pc_id, result_id, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    byStatus: db.prepare(`SELECT status, COUNT(*) AS n FROM results GROUP BY status`),
    any: db.prepare(`SELECT 1 FROM results LIMIT 1`).pluck(),
  };
  const insertResults = db.transaction((results: readonly ExecResult[]) => {
    const now = new Date().toISOString();
    let inserted = 0;
    for (const r of results) {
      const row = resultParams(r, now);
      inserted += st.insertResult.run(...RESULT_COLUMNS.map((c) => row[c])).changes;
    }
    return inserted;
  });
  const insertStarted = db.transaction((events: readonly StartedEvent[]) => {
    if (st.insertStartedBatch) {
      return st.insertStartedBatch.run(jsonbRows(events.map((e) => ({ exec_id: e.exec_id, pc_id: e.pc_id, result_id: e.result_id, started_at: iso(e.started_at) })))).changes;
    }
    let inserted = 0;
    for (const e of events) inserted += st.insertStarted.run(e.exec_id, e.pc_id, e.result_id, iso(e.started_at)).changes;
    return inserted;
  });
  return {
    insertResults: async (results) => {
      if (results.length === 0) return 0;
      if (db.engine === "sqlite") return insertResults(results);
      // PostgreSQL: a whole batch in one statement per part, the transaction run by the bridge's background
      // connection, so the backend goes on reading the broker (and decoding the next batch) meanwhile.
      const now = new Date().toISOString();
      const parts = onePerPc(results.map((r) => resultParams(r, now)));
      const changes = await db.transactionInBackground(parts.map((part) => ({ sql: INSERT_BATCH_SQL, params: [jsonbRows(part)] })));
      return changes.reduce((a, b) => a + b, 0);
    },
    insertsInBackground: db.engine === "postgres",
    warmUp: async () => {
      if (db.engine === "postgres") await db.transactionInBackground([{ sql: INSERT_BATCH_SQL, params: ["[]"] }]);
    },
    getResult: async (resultId) => {
      const row = st.getResult.get(resultId) as ResultDbRow | undefined;
      return row ? toResult(row) : undefined;
    },
    listResults: async ({ limit, after, ...filter }) => {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit };
      if (after) {
        where.push("(finished_at, result_id) < (@at, @id)");
        Object.assign(params, after);
      }
      if (filter.in_pcs) {
        where.push(`pc_id IN (${jsonTextValues(db.engine, "@in_pcs")})`);
        params.in_pcs = JSON.stringify(filter.in_pcs);
      }
      for (const key of ["exec_id", "pc_id", "job_id", "status"] as const satisfies readonly (keyof ResultFilter)[]) {
        const v = filter[key];
        if (v !== undefined) {
          where.push(`${key} = @${key}`);
          params[key] = v;
        }
      }
      const sql = `SELECT * FROM results ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                   ORDER BY finished_at DESC, result_id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as ResultDbRow[]).map(toResult);
    },
    insertStarted: async (events) => (events.length ? insertStarted(events) : 0),
    countByStatus: async () => st.byStatus.all() as { status: string; n: number }[],
    isEmpty: async () => st.any.get() === undefined,
  };
}

/**
 * Consecutive parts of `rows` with at most one row per (exec_id, pc_id) each: the execution-count trigger looks at
 * the PC's other results, and within one statement every row's trigger would see all of them at once.
 */
export function onePerPc<T extends { exec_id: string | number | null; pc_id: string | number | null }>(rows: readonly T[]): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let keys = new Set<string>();
  for (const r of rows) {
    const key = `${r.exec_id} ${r.pc_id}`;
    if (keys.has(key)) {
      parts.push(part);
      part = [];
      keys = new Set();
    }
    keys.add(key);
    part.push(r);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

const INTEGER_COLUMNS: ReadonlySet<string> = new Set(["exit_code", "stdout_truncated", "stderr_truncated", "duration_ms"]);

const RESULT_COLUMNS = [
  "result_id", "exec_id", "request_id", "job_id", "version", "pc_id", "status", "exit_code", "stdout", "stderr",
  "stdout_truncated", "stderr_truncated", "stdout_object", "stderr_object", "started_at", "finished_at", "duration_ms",
  "skip_reason", "error", "received_at",
] as const;

/** PostgreSQL: a whole batch in one statement (every statement is a round trip to the server). */
const INSERT_BATCH_SQL = `INSERT INTO results (${RESULT_COLUMNS.join(", ")})
  SELECT ${RESULT_COLUMNS.join(", ")} FROM jsonb_to_recordset(CAST(? AS jsonb)) AS x(${RESULT_COLUMNS.map((c) => `${c} ${INTEGER_COLUMNS.has(c) ? "bigint" : "text"}`).join(", ")})
  ON CONFLICT (result_id) DO NOTHING`;

function resultParams(r: ExecResult, receivedAt: string): Record<(typeof RESULT_COLUMNS)[number], string | number | null> {
  const started = r.started_at ? iso(r.started_at) : null;
  const finished = iso(r.finished_at);
  return {
    result_id: r.result_id,
    exec_id: r.exec_id,
    request_id: r.request_id,
    job_id: r.job_id,
    version: r.version,
    pc_id: r.pc_id,
    status: r.status,
    exit_code: r.exit_code,
    stdout: r.stdout,
    stderr: r.stderr,
    stdout_truncated: r.stdout_truncated ? 1 : 0,
    stderr_truncated: r.stderr_truncated ? 1 : 0,
    stdout_object: r.stdout_object ?? null,
    stderr_object: r.stderr_object ?? null,
    started_at: started,
    finished_at: finished,
    duration_ms: started ? Math.max(0, Date.parse(finished) - Date.parse(started)) : null,
    skip_reason: r.skip_reason ?? null,
    error: r.error ?? null,
    received_at: receivedAt,
  };
}

const toResult = (r: ResultDbRow): ResultRecord => ({
  result_id: r.result_id,
  exec_id: r.exec_id,
  request_id: r.request_id,
  job_id: r.job_id,
  version: r.version,
  pc_id: r.pc_id,
  status: r.status,
  exit_code: r.exit_code,
  stdout: r.stdout,
  stderr: r.stderr,
  stdout_truncated: r.stdout_truncated === 1,
  stderr_truncated: r.stderr_truncated === 1,
  stdout_object: r.stdout_object,
  stderr_object: r.stderr_object,
  started_at: r.started_at,
  finished_at: r.finished_at,
  duration_ms: r.duration_ms,
  skip_reason: r.skip_reason,
  error: r.error,
});
