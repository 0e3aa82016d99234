/** Executions: list, detail with per-PC rows, and kill. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  KanadeError,
  UUID_RE,
  jobIdSchema,
  subjects,
  type ExecutionCounts,
  type ExecutionDetail,
  type ExecutionRow,
  type ExecutionState,
  type ExecutionSummary,
  type KillMessage,
} from "@kanade/protocol";
import type { ExecutionRecord } from "../db/index.js";
import type { RouteDeps } from "../deps.js";
import { decodeCursor, limitSchema, page } from "../cursor.js";
import { parseOr400 } from "../errors.js";
import { requireNats } from "../nats.js";
import { purgeExecCommands } from "../exec/publish.js";

const params = z.object({ exec_id: z.string().regex(UUID_RE, "expected an exec_id (UUID)") });
const listQuery = z.object({
  limit: limitSchema,
  cursor: z.string().optional(),
  job_id: jobIdSchema.optional(),
  // Stored states; "completed" is computed on read, so it is found under "running".
  state: z.enum(["pending_approval", "running", "rejected", "expired"]).optional(),
});
const detailQuery = z.object({ rows: z.enum(["true", "false", "1", "0"]).optional() });

/**
 * Completed once every expected PC has a result, or once a killed execution has nothing running; computed
 * on read so it never goes stale.
 */
function stateOf(e: ExecutionRecord, c: ExecutionCounts): ExecutionState {
  if (e.state !== "running") return e.state as ExecutionState;
  if (e.killed_at && c.running === 0) return "completed";
  return c.total > 0 && c.pending === 0 && c.running === 0 ? "completed" : "running";
}

/**
 * A kill purges the exec's commands from EXEC, so a PC that had not started it never will and never
 * reports: count such pending PCs as killed, or a killed execution would wait forever.
 */
function settleKilled(e: ExecutionRecord, c: ExecutionCounts): ExecutionCounts {
  if (!e.killed_at || c.pending === 0) return c;
  return { ...c, pending: 0, killed: c.killed + c.pending, done: c.done + c.pending };
}

/** Rows to match settleKilled: a pending PC of a killed execution shows `killed`, with no result. */
function settleKilledRows(e: ExecutionRecord, rows: ExecutionRow[]): ExecutionRow[] {
  if (!e.killed_at) return rows;
  return rows.map((r) => (r.status === "pending" ? { ...r, status: "killed" } : r));
}

async function summary(deps: RouteDeps, e: ExecutionRecord): Promise<ExecutionSummary> {
  const counts = settleKilled(e, await deps.store.executionCounts(e.exec_id));
  return {
    exec_id: e.exec_id,
    job_id: e.job_id,
    version: e.version,
    state: stateOf(e, counts),
    target: e.target,
    target_count: e.target_count,
    created_at: e.created_at,
    issued_by: e.issued_by,
    counts,
    ...(e.killed_at ? { killed_at: e.killed_at } : {}),
  };
}

async function mustGet(deps: RouteDeps, execId: string): Promise<ExecutionRecord> {
  const e = await deps.store.getExecution(execId);
  if (!e) throw new KanadeError("EXECUTION_NOT_FOUND", `No execution "${execId}"`);
  return e;
}

export function executionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/api/executions", async (req) => {
    const q = parseOr400(listQuery, req.query, "query");
    const rows = await deps.store.listExecutions({
      limit: q.limit + 1,
      ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
      ...(q.job_id ? { job_id: q.job_id } : {}),
      ...(q.state ? { state: q.state } : {}),
    });
    const p = page(rows, q.limit, (e) => ({ at: e.created_at, id: e.exec_id }));
    return { items: await Promise.all(p.items.map((e) => summary(deps, e))), next_cursor: p.next_cursor };
  });

  app.get("/api/executions/:exec_id", async (req): Promise<ExecutionDetail | ExecutionSummary> => {
    const { exec_id } = parseOr400(params, req.params, "exec id");
    const { rows } = parseOr400(detailQuery, req.query, "query");
    const e = await mustGet(deps, exec_id);
    const s = await summary(deps, e);
    // `?rows=false` keeps polling cheap when thousands of PCs are targeted.
    if (rows === "false" || rows === "0") return s;
    return { ...s, rows: settleKilledRows(e, await deps.store.executionRows(exec_id)) };
  });

  app.post("/api/executions/:exec_id/kill", async (req, reply) => {
    const { exec_id } = parseOr400(params, req.params, "exec id");
    const e = await mustGet(deps, exec_id);
    requireNats(deps.nats);
    const log = req.log.child({ exec_id, job_id: e.job_id });
    const now = deps.clock().toISOString();
    if (e.state === "pending_approval" && deps.governance) {
      // Nothing was published yet: a kill cancels the request, so a later approval cannot start it.
      deps.governance.store.decide(exec_id, req.actor, "rejected", now);
      log.info("kill of an execution waiting for approval: rejected it");
    }
    const msg: KillMessage = { exec_id, issued_by: req.actor, issued_at: now };
    deps.nats.nc.publish(subjects.kill(exec_id), JSON.stringify(msg));
    await deps.nats.nc.flush();
    await deps.store.markKilled(exec_id, now);
    const purged = await purgeExecCommands(deps.nats, exec_id, e.target, log);
    log.info({ purged }, "execution killed");
    await deps.audit(req, "exec.kill", exec_id, { job_id: e.job_id, purged });
    return reply.status(202).send({ exec_id, killed: true });
  });
}
