/** Executions: list, detail with per-PC rows, kill, approve and reject (see executions/). */
import type { FastifyInstance } from "fastify";
import type { ExecutionView } from "@kanade/protocol";
import { isOnline } from "../agents/online.js";
import { decodeCursor } from "../cursor.js";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function executionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  /** Each row says whether its PC is online now, and the view how many PCs it still waits for while they are offline. */
  const withOnline = async (view: ExecutionView): Promise<ExecutionView> => {
    if (!view.rows) return view;
    const now = deps.clock();
    const online = new Map((await deps.agents.listAgents()).map((a) => [a.pc_id, isOnline(a, now)]));
    const rows = view.rows.map((r) => ({ ...r, online: online.get(r.pc_id) === true }));
    const waiting = view.state === "running" || view.state === "pending_approval";
    return { ...view, rows, offline_waiting: waiting ? rows.filter((r) => r.status === "pending" && !r.online).length : 0 };
  };

  serve(app, "listExecutions", async ({ query }, ctx) => {
    const after = decodeCursor(query.cursor);
    const scope = ctx.caller.scope;
    return deps.executions.list({
      limit: query.limit,
      ...(scope ? { visibleTo: { pcs: scope.pcs(), actor: ctx.caller.actor } } : {}),
      ...(after ? { after } : {}),
      ...(query.job_id ? { job_id: query.job_id } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(query.id ? { id: query.id } : {}),
    });
  });
  // A closing server waits for requests in flight: answer the waiting ones now rather than after up to 30 s.
  app.addHook("preClose", async () => deps.executions.releaseWaits());
  serve(app, "getExecution", async ({ params, query }) => {
    // With wait_ms the answer comes when the execution ends (or the time is up), instead of the caller polling.
    if (query.wait_ms !== undefined) await deps.executions.waitEnded(params.exec_id, query.wait_ms);
    return withOnline(await deps.executions.get(params.exec_id, query.rows !== false));
  });
  serve(app, "killExecution", ({ params }, ctx) => deps.executions.kill(ctx.caller, params.exec_id));
  serve(app, "approveExecution", ({ params, body }, ctx) => deps.executions.decide(ctx.caller, params.exec_id, "approved", body.manifest_digest));
  serve(app, "rejectExecution", ({ params }, ctx) => deps.executions.decide(ctx.caller, params.exec_id, "rejected"));
}
