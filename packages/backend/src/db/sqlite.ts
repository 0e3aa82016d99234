/** SQLite implementation of Store (better-sqlite3, WAL). Statements are prepared once per store. */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { ExecResult, ExecutionCounts, ExecutionRow, Heartbeat, ResultRecord, StartedEvent } from "@kanade/protocol";
import { migrate } from "./migrations.js";
import type { AgentRecord, ExecutionRecord, ResultFilter, Store } from "./index.js";

/** ISO timestamps from different agents may carry different offsets; normalize so they sort as text. */
const iso = (t: string): string => new Date(t).toISOString();
const STDOUT_HEAD_CHARS = 400;

interface ExecutionDbRow {
  exec_id: string;
  job_id: string;
  version: string;
  state: string;
  target: string;
  target_count: number;
  created_at: string;
  issued_by: string;
  killed_at: string | null;
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

interface AgentDbRow extends Omit<AgentRecord, "groups" | "quarantined_versions"> {
  groups: string;
  quarantined_versions: string;
}

interface RowDbRow {
  pc_id: string;
  result_id: string | null;
  status: ResultRecord["status"] | null;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  head: string | null;
  has_started: number;
}

// Every PC of an execution: expected ones plus any that answered anyway; one result per PC (the latest).
const PCS_CTE = `
  WITH pcs AS (
    SELECT pc_id FROM execution_targets WHERE exec_id = @e
    UNION SELECT pc_id FROM results WHERE exec_id = @e
    UNION SELECT pc_id FROM started WHERE exec_id = @e
  ),
  r AS (
    SELECT pc_id, result_id, status, exit_code, started_at, finished_at, duration_ms,
           substr(stdout, 1, ${STDOUT_HEAD_CHARS}) AS head, MAX(finished_at) AS latest
    FROM results WHERE exec_id = @e GROUP BY pc_id
  )`;
const ROW_STATUS = `COALESCE(r.status, CASE WHEN s.pc_id IS NOT NULL THEN 'running' ELSE 'pending' END)`;

/** The SQLite store, with its handle so feature stores (inventory, audit, …) can share the same file. */
export interface SqliteStore extends Store {
  readonly db: Database.Database;
}

export function openSqliteStore(path: string): SqliteStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  migrate(db);

  const st = {
    insertExec: db.prepare(
      `INSERT INTO executions (exec_id, job_id, version, state, target, target_count, created_at, issued_by, killed_at)
       VALUES (@exec_id, @job_id, @version, @state, @target, @target_count, @created_at, @issued_by, @killed_at)`,
    ),
    insertTarget: db.prepare(`INSERT OR IGNORE INTO execution_targets (exec_id, pc_id) VALUES (?, ?)`),
    deleteExec: db.prepare(`DELETE FROM executions WHERE exec_id = ?`),
    deleteTargets: db.prepare(`DELETE FROM execution_targets WHERE exec_id = ?`),
    getExec: db.prepare(`SELECT * FROM executions WHERE exec_id = ?`),
    markKilled: db.prepare(`UPDATE executions SET killed_at = COALESCE(killed_at, ?) WHERE exec_id = ?`),
    counts: db.prepare(
      `${PCS_CTE}
       SELECT ${ROW_STATUS} AS status, COUNT(*) AS n
       FROM pcs LEFT JOIN r ON r.pc_id = pcs.pc_id
       LEFT JOIN started s ON s.exec_id = @e AND s.pc_id = pcs.pc_id
       GROUP BY 1`,
    ),
    rows: db.prepare(
      `${PCS_CTE}
       SELECT pcs.pc_id, r.result_id, r.status, r.exit_code, COALESCE(r.started_at, s.started_at) AS started_at,
              r.finished_at, r.duration_ms, r.head, s.pc_id IS NOT NULL AS has_started
       FROM pcs LEFT JOIN r ON r.pc_id = pcs.pc_id
       LEFT JOIN started s ON s.exec_id = @e AND s.pc_id = pcs.pc_id
       ORDER BY pcs.pc_id`,
    ),
    insertResult: db.prepare(
      `INSERT INTO results (result_id, exec_id, request_id, job_id, version, pc_id, status, exit_code, stdout, stderr,
         stdout_truncated, stderr_truncated, stdout_object, stderr_object, started_at, finished_at, duration_ms,
         skip_reason, error, run_as, received_at)
       VALUES (@result_id, @exec_id, @request_id, @job_id, @version, @pc_id, @status, @exit_code, @stdout, @stderr,
         @stdout_truncated, @stderr_truncated, @stdout_object, @stderr_object, @started_at, @finished_at, @duration_ms,
         @skip_reason, @error, @run_as, @received_at)
       ON CONFLICT (result_id) DO NOTHING`,
    ),
    getResult: db.prepare(`SELECT * FROM results WHERE result_id = ?`),
    insertStarted: db.prepare(
      `INSERT INTO started (exec_id, pc_id, result_id, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    // last_seen is the backend's receive time and batches are written in order, so the newest write wins;
    // no "newer than stored" guard, which let one heartbeat from a PC with a future clock freeze the row.
    upsertAgent: db.prepare(
      `INSERT INTO agents (pc_id, hostname, os_family, os_version, agent_version, groups, last_seen,
         heartbeat_interval_secs, agent_rss_bytes, agent_cpu_pct, boot_time, logged_in_user, quarantined_versions, first_seen)
       VALUES (@pc_id, @hostname, @os_family, @os_version, @agent_version, @groups, @last_seen,
         @heartbeat_interval_secs, @agent_rss_bytes, @agent_cpu_pct, @boot_time, @logged_in_user, @quarantined_versions, @last_seen)
       ON CONFLICT (pc_id) DO UPDATE SET hostname = excluded.hostname, os_family = excluded.os_family,
         os_version = excluded.os_version, agent_version = excluded.agent_version, groups = excluded.groups,
         last_seen = excluded.last_seen, heartbeat_interval_secs = excluded.heartbeat_interval_secs,
         agent_rss_bytes = excluded.agent_rss_bytes, agent_cpu_pct = excluded.agent_cpu_pct,
         boot_time = excluded.boot_time, logged_in_user = excluded.logged_in_user,
         quarantined_versions = excluded.quarantined_versions`,
    ),
    listAgents: db.prepare(`SELECT * FROM agents ORDER BY pc_id`),
    getAgent: db.prepare(`SELECT * FROM agents WHERE pc_id = ?`),
    deleteAgent: db.prepare(`DELETE FROM agents WHERE pc_id = ?`),
    agentIds: db.prepare(`SELECT pc_id FROM agents ORDER BY pc_id`).pluck(),
  };

  const insertExecution = db.transaction((exec: ExecutionRecord, targets: readonly string[]) => {
    st.insertExec.run({ ...exec, target: JSON.stringify(exec.target) });
    for (const pc of targets) st.insertTarget.run(exec.exec_id, pc);
  });
  const deleteExecution = db.transaction((execId: string) => {
    st.deleteTargets.run(execId);
    st.deleteExec.run(execId);
  });
  const insertResults = db.transaction((results: readonly ExecResult[]) => {
    const now = new Date().toISOString();
    let inserted = 0;
    for (const r of results) inserted += st.insertResult.run(resultParams(r, now)).changes;
    return inserted;
  });
  const insertStarted = db.transaction((events: readonly StartedEvent[]) => {
    let inserted = 0;
    for (const e of events) inserted += st.insertStarted.run(e.exec_id, e.pc_id, e.result_id, iso(e.started_at)).changes;
    return inserted;
  });
  const upsertAgents = db.transaction((hbs: readonly Heartbeat[]) => {
    for (const h of hbs) st.upsertAgent.run(agentParams(h));
  });

  return {
    db,
    insertExecution: async (exec, targets) => void insertExecution(exec, targets),
    deleteExecution: async (execId) => void deleteExecution(execId),
    getExecution: async (execId) => {
      const row = st.getExec.get(execId) as ExecutionDbRow | undefined;
      return row ? toExecution(row) : undefined;
    },
    listExecutions: async ({ limit, after, job_id, state }) => {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit };
      if (after) {
        where.push("(created_at, exec_id) < (@at, @id)");
        Object.assign(params, after);
      }
      if (job_id) {
        where.push("job_id = @job_id");
        params.job_id = job_id;
      }
      if (state) {
        where.push("state = @state");
        params.state = state;
      }
      const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                   ORDER BY created_at DESC, exec_id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as ExecutionDbRow[]).map(toExecution);
    },
    markKilled: async (execId, at) => void st.markKilled.run(at, execId),
    executionCounts: async (execId) => {
      const counts = emptyCounts();
      for (const { status, n } of st.counts.all({ e: execId }) as { status: string; n: number }[]) {
        counts.total += n;
        if (status === "pending" || status === "running") counts[status] += n;
        else if (status in counts) {
          counts[status as keyof ExecutionCounts] += n;
          counts.done += n;
        }
      }
      return counts;
    },
    executionRows: async (execId) => (st.rows.all({ e: execId }) as RowDbRow[]).map(toRow),
    insertResults: async (results) => (results.length ? insertResults(results) : 0),
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
    upsertAgents: async (hbs) => void (hbs.length ? upsertAgents(hbs) : undefined),
    listAgents: async () => (st.listAgents.all() as AgentDbRow[]).map(toAgent),
    getAgent: async (pcId) => {
      const row = st.getAgent.get(pcId) as AgentDbRow | undefined;
      return row ? toAgent(row) : undefined;
    },
    deleteAgent: async (pcId) => st.deleteAgent.run(pcId).changes > 0,
    agentIds: async () => st.agentIds.all() as string[],
    close: async () => void db.close(),
  };
}

function resultParams(r: ExecResult, receivedAt: string): Record<string, string | number | null> {
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
    run_as: r.run_as ?? null,
    received_at: receivedAt,
  };
}

function agentParams(h: Heartbeat): Record<string, string | number | null> {
  return {
    pc_id: h.pc_id,
    hostname: h.hostname,
    os_family: h.os_family,
    os_version: h.os_version,
    agent_version: h.agent_version,
    groups: JSON.stringify(h.groups),
    last_seen: iso(h.at),
    heartbeat_interval_secs: h.heartbeat_interval_secs ?? null,
    agent_rss_bytes: h.agent_rss_bytes,
    agent_cpu_pct: h.agent_cpu_pct,
    boot_time: h.boot_time ? iso(h.boot_time) : null,
    logged_in_user: h.logged_in_user ?? null,
    quarantined_versions: JSON.stringify(h.quarantined_versions ?? []),
  };
}

const emptyCounts = (): ExecutionCounts => ({
  total: 0,
  pending: 0,
  running: 0,
  done: 0,
  succeeded: 0,
  failed: 0,
  timed_out: 0,
  killed: 0,
  skipped: 0,
  error: 0,
});

const toExecution = (r: ExecutionDbRow): ExecutionRecord => ({ ...r, target: JSON.parse(r.target) as ExecutionRecord["target"] });

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

const toRow = (r: RowDbRow): ExecutionRow => ({
  pc_id: r.pc_id,
  status: r.status ?? (r.has_started ? "running" : "pending"),
  result_id: r.result_id,
  exit_code: r.exit_code,
  started_at: r.started_at,
  finished_at: r.finished_at,
  duration_ms: r.duration_ms,
  stdout_first_line: r.head === null ? null : (r.head.split(/\r?\n/)[0] ?? ""),
});

const toAgent = (r: AgentDbRow): AgentRecord => ({
  ...r,
  groups: JSON.parse(r.groups) as string[],
  quarantined_versions: JSON.parse(r.quarantined_versions) as string[],
});
