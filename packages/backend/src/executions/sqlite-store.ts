/**
 * SQLite store of the executions module. Owns `executions`, `execution_targets`, `approvals` and
 * `exec_intents`; reads `results` and `started` (owned by the results store) for the per-PC rows, and the
 * counts that triggers keep in `execution_counts` as those tables are written.
 */
import type { AdhocScript, ExecutionCounts, ExecutionRow, ResultStatus } from "@kanade/protocol";
import { auditOutboxWriter } from "../audit/outbox-store.js";
import type { SqlDatabase } from "../db/database.js";
import type { ExecutionsStore, NewApproval, Transition } from "./store.js";
import type { ApprovalRecord, ExecutionRecord, Intent, StoredState } from "./types.js";
import { jsonTextValues } from "../db/dialect.js";

const STDOUT_HEAD_CHARS = 400;

interface ExecutionDbRow extends Omit<ExecutionRecord, "target" | "state"> {
  state: StoredState;
  target: string;
}

interface ApprovalDbRow extends Omit<ApprovalRecord, "request" | "manifest"> {
  request: string;
  manifest: string | null;
}

interface RowDbRow {
  pc_id: string;
  result_id: string | null;
  status: ResultStatus | null;
  exit_code: number | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  head: string | null;
  has_started: number;
}

// Every PC of an execution: expected ones plus any that answered anyway; one result per PC (the latest).
// SQLite takes the latest row's columns beside MAX(); PostgreSQL picks that row with DISTINCT ON (ties: the
// first result, as the count triggers keep it).
const pcsCte = (engine: SqlDatabase["engine"]): string => `
  WITH pcs AS (
    SELECT pc_id FROM execution_targets WHERE exec_id = @e
    UNION SELECT pc_id FROM results WHERE exec_id = @e
    UNION SELECT pc_id FROM started WHERE exec_id = @e
  ),
  r AS (${
    engine === "sqlite"
      ? `
    SELECT pc_id, result_id, status, exit_code, started_at, finished_at, duration_ms,
           substr(stdout, 1, ${STDOUT_HEAD_CHARS}) AS head, MAX(finished_at) AS latest
    FROM results WHERE exec_id = @e GROUP BY pc_id`
      : `
    SELECT DISTINCT ON (pc_id) pc_id, result_id, status, exit_code, started_at, finished_at, duration_ms,
           substr(stdout, 1, ${STDOUT_HEAD_CHARS}) AS head, finished_at AS latest
    FROM results WHERE exec_id = @e ORDER BY pc_id, finished_at DESC, rowid`
  }
  )`;

/** An execution's PCs as the targets insert takes them: a JSON array, each PC once. */
const targetList = (targets: readonly string[]): string => JSON.stringify([...new Set(targets)]);

export function openExecutionsStore(db: SqlDatabase): ExecutionsStore {
  const audit = auditOutboxWriter(db);
  const st = {
    insertExec: db.prepare(
      `INSERT INTO executions (exec_id, job_id, version, state, target, target_count, created_at, issued_by, killed_at,
         manifest_digest, state_reason)
       VALUES (@exec_id, @job_id, @version, @state, @target, @target_count, @created_at, @issued_by, @killed_at,
         @manifest_digest, @state_reason)`,
    ),
    insertExecIfAbsent: db.prepare(
      `INSERT INTO executions (exec_id, job_id, version, state, target, target_count, created_at, issued_by, killed_at,
         manifest_digest, state_reason)
       VALUES (@exec_id, @job_id, @version, @state, @target, @target_count, @created_at, @issued_by, @killed_at,
         @manifest_digest, @state_reason) ON CONFLICT (exec_id) DO NOTHING`,
    ),
    // One statement for all of an exec's PCs: half the CPU of a statement per PC (5,000 PCs: ~14 → ~6 ms),
    // and this runs before the command can be published (on PostgreSQL: one round trip instead of one per PC).
    // Only a new execution's targets are written, deduplicated (targetList), so nothing can conflict; on
    // PostgreSQL an ON CONFLICT clause would double the insert (50,000 PCs: ~130 → ~270 ms).
    insertTargets: db.prepare(
      db.engine === "sqlite"
        ? `INSERT OR IGNORE INTO execution_targets (exec_id, pc_id) SELECT ?, value FROM json_each(?)`
        : `INSERT INTO execution_targets (exec_id, pc_id) SELECT CAST(? AS TEXT), jsonb_array_elements_text(CAST(? AS jsonb))`,
    ),
    getExec: db.prepare(`SELECT * FROM executions WHERE exec_id = ?`),
    insertApproval: db.prepare(
      `INSERT INTO approvals (exec_id, requested_by, request, manifest, manifest_digest, script_sha256, expires_at)
       VALUES (@exec_id, @requested_by, @request, @manifest, @manifest_digest, @script_sha256, @expires_at)`,
    ),
    getApproval: db.prepare(`SELECT * FROM approvals WHERE exec_id = ?`),
    insertAdhoc: db.prepare(
      `INSERT INTO adhoc_runs (exec_id, shell, script, timeout, run_as, cwd, created_by, created_at)
       VALUES (@exec_id, @shell, @script, @timeout, @run_as, @cwd, @created_by, @created_at)`,
    ),
    getAdhoc: db.prepare(`SELECT * FROM adhoc_runs WHERE exec_id = ?`),
    decide: db.prepare(`UPDATE approvals SET decided_by = @by, decided_at = @at, decision = @decision WHERE exec_id = @exec_id`),
    overdue: db
      .prepare(
        `SELECT a.exec_id FROM approvals a JOIN executions e ON e.exec_id = a.exec_id
         WHERE e.state = 'pending_approval' AND a.expires_at <= ?`,
      )
      .pluck(),
    insertIntent: db.prepare(`INSERT INTO exec_intents (exec_id, kind, body, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (exec_id, kind) DO UPDATE SET body = excluded.body, created_at = excluded.created_at, attempts = 0, last_error = NULL`),
    removeIntent: db.prepare(`DELETE FROM exec_intents WHERE exec_id = ? AND kind = ?`),
    intentFailure: db.prepare(`UPDATE exec_intents SET attempts = attempts + 1, last_error = ? WHERE exec_id = ? AND kind = ?`),
    intents: db.prepare(`SELECT body FROM exec_intents ORDER BY created_at, exec_id`).pluck(),
    // Kept by triggers as targets, started events and results are written (migration 008-fanout-counters).
    counts: db.prepare(`SELECT status, n FROM execution_counts WHERE exec_id = @e AND n > 0`),
    rows: db.prepare(
      `${pcsCte(db.engine)}
       SELECT pcs.pc_id, r.result_id, r.status, r.exit_code, COALESCE(r.started_at, s.started_at) AS started_at,
              r.finished_at, r.duration_ms, r.head, s.pc_id IS NOT NULL AS has_started
       FROM pcs LEFT JOIN r ON r.pc_id = pcs.pc_id
       LEFT JOIN started s ON s.exec_id = @e AND s.pc_id = pcs.pc_id
       ORDER BY pcs.pc_id`,
    ),
    rowExtras: db.prepare(`SELECT result_id, substr(stderr, 1, ${STDOUT_HEAD_CHARS}) AS stderr_head, skip_reason FROM results WHERE exec_id = ?`),
    byState: db.prepare(`SELECT state, COUNT(*) AS n FROM executions GROUP BY state`),
    any: db.prepare(`SELECT 1 FROM executions LIMIT 1`).pluck(),
  };

  const execParams = (e: ExecutionRecord): Record<string, string | number | null> => ({ ...e, target: JSON.stringify(e.target) });
  const addIntent = (i: Intent): void => void st.insertIntent.run(i.exec_id, i.kind, JSON.stringify(i), i.created_at);

  const create = db.transaction(
    (input: {
      execution: ExecutionRecord;
      targets: readonly string[];
      approval?: NewApproval;
      intent?: Intent;
      adhoc?: AdhocScript;
      audit: Parameters<typeof audit.insert>[0];
    }) => {
      st.insertExec.run(execParams(input.execution));
      st.insertTargets.run(input.execution.exec_id, targetList(input.targets));
      if (input.approval) {
        st.insertApproval.run({ ...input.approval, request: JSON.stringify(input.approval.request), manifest: JSON.stringify(input.approval.manifest) });
      }
      if (input.intent) addIntent(input.intent);
      if (input.adhoc) st.insertAdhoc.run({ ...input.adhoc, cwd: input.adhoc.cwd ?? null });
      audit.insert(input.audit);
    },
  );

  const transition = db.transaction((execId: string, t: Transition): boolean => {
    const from = t.from.map((s) => `'${s}'`).join(", ");
    const sets = ["state = @to"];
    if (t.reason !== undefined) sets.push("state_reason = @reason");
    if (t.killedAt !== undefined) sets.push("killed_at = COALESCE(killed_at, @killedAt)");
    const moved = db
      .prepare(`UPDATE executions SET ${sets.join(", ")} WHERE exec_id = @execId AND state IN (${from})`)
      .run({ execId, to: t.to, reason: t.reason ?? null, killedAt: t.killedAt ?? null }).changes === 1;
    if (!moved) return false;
    if (t.decision) st.decide.run({ exec_id: execId, ...t.decision });
    for (const kind of t.removeIntents ?? []) st.removeIntent.run(execId, kind);
    if (t.addIntent) addIntent(t.addIntent);
    if (t.audit) audit.insert(t.audit);
    return true;
  });

  const restore = db.transaction((e: ExecutionRecord, targets: readonly string[], adhoc: AdhocScript | undefined): boolean => {
    const inserted = st.insertExecIfAbsent.run(execParams(e)).changes === 1;
    if (inserted) st.insertTargets.run(e.exec_id, targetList(targets));
    if (inserted && adhoc) st.insertAdhoc.run({ ...adhoc, cwd: adhoc.cwd ?? null });
    return inserted;
  });

  return {
    create: async (input) => void create(input),
    transition: async (execId, t) => transition(execId, t),
    get: async (execId) => {
      const row = st.getExec.get(execId) as ExecutionDbRow | undefined;
      return row ? toExecution(row) : undefined;
    },
    list: async ({ limit, after, job_id, state, id, visibleTo }) => {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit };
      if (visibleTo) {
        where.push(`NOT EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = executions.exec_id AND t.pc_id NOT IN (${jsonTextValues(db.engine, "@scope_pcs")}))
          AND (issued_by = @scope_actor OR EXISTS (SELECT 1 FROM execution_targets t WHERE t.exec_id = executions.exec_id))`);
        params.scope_pcs = JSON.stringify(visibleTo.pcs);
        params.scope_actor = visibleTo.actor;
      }
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
      if (id) {
        // A prefix or suffix of the id without its dashes, as the UI and the CLI shorten ids.
        where.push("(replace(exec_id, '-', '') LIKE @id || '%' OR replace(exec_id, '-', '') LIKE '%' || @id)");
        params.id = id;
      }
      const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                   ORDER BY created_at DESC, exec_id DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as ExecutionDbRow[]).map(toExecution);
    },
    counts: async (execId) => {
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
    rows: async (execId) => {
      const extras = new Map((st.rowExtras.all(execId) as RowExtrasDbRow[]).map((x) => [x.result_id, x]));
      return (st.rows.all({ e: execId }) as RowDbRow[]).map((r) => withExtras(toRow(r), r.result_id === null ? undefined : extras.get(r.result_id)));
    },
    approval: async (execId) => {
      const r = st.getApproval.get(execId) as ApprovalDbRow | undefined;
      return r ? { ...r, request: JSON.parse(r.request) as ApprovalRecord["request"], manifest: r.manifest === null ? null : (JSON.parse(r.manifest) as ApprovalRecord["manifest"]) } : undefined;
    },
    adhocScript: async (execId) => {
      const r = st.getAdhoc.get(execId) as (Omit<AdhocScript, "cwd"> & { cwd: string | null }) | undefined;
      if (!r) return undefined;
      const { cwd, ...rest } = r;
      return cwd === null ? rest : { ...rest, cwd };
    },
    overdueApprovals: async (now) => st.overdue.all(now) as string[],
    intents: async () => (st.intents.all() as string[]).map((body) => JSON.parse(body) as Intent),
    removeIntent: async (execId, kind) => void st.removeIntent.run(execId, kind),
    noteIntentFailure: async (execId, kind, error) => void st.intentFailure.run(error, execId, kind),
    countByState: async () => st.byState.all() as { state: string; n: number }[],
    isEmpty: async () => st.any.get() === undefined,
    restore: async (e, targets, adhoc) => restore(e, targets, adhoc),
    restoreState: async (execId, change) => {
      const sets: string[] = [];
      if (change.state !== undefined) sets.push("state = @state");
      if (change.killedAt !== undefined) sets.push("killed_at = COALESCE(killed_at, @killedAt)");
      if (change.reason !== undefined) sets.push("state_reason = @reason");
      if (sets.length === 0) return;
      db.prepare(`UPDATE executions SET ${sets.join(", ")} WHERE exec_id = @execId`).run({
        execId,
        state: change.state ?? null,
        killedAt: change.killedAt ?? null,
        reason: change.reason ?? null,
      });
    },
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

interface RowExtrasDbRow {
  result_id: string;
  stderr_head: string | null;
  skip_reason: string | null;
}

/** The first line of stderr and the skip reason, for triage of a big execution. */
const withExtras = (row: ExecutionRow, x: RowExtrasDbRow | undefined): ExecutionRow =>
  x ? { ...row, stderr_first_line: x.stderr_head ? (x.stderr_head.split(/\r?\n/).find((l) => l.trim() !== "") ?? null) : null, skip_reason: x.skip_reason } : row;

const toExecution = (r: ExecutionDbRow): ExecutionRecord => ({ ...r, target: JSON.parse(r.target) as ExecutionRecord["target"] });

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
