/** Executions: list, detail with per-PC rows, kill, approve and reject (see executions/). */
import type { FastifyInstance } from "fastify";
import { decodeCursor } from "../cursor.js";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function executionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "listExecutions", async ({ query }) => {
    const after = decodeCursor(query.cursor);
    return deps.executions.list({
      limit: query.limit,
      ...(after ? { after } : {}),
      ...(query.job_id ? { job_id: query.job_id } : {}),
      ...(query.state ? { state: query.state } : {}),
    });
  });
  serve(app, "getExecution", ({ params, query }) => deps.executions.get(params.exec_id, query.rows !== false));
  serve(app, "killExecution", ({ params }, ctx) => deps.executions.kill(ctx.caller, params.exec_id));
  serve(app, "approveExecution", ({ params, body }, ctx) => deps.executions.decide(ctx.caller, params.exec_id, "approved", body.manifest_digest));
  serve(app, "rejectExecution", ({ params }, ctx) => deps.executions.decide(ctx.caller, params.exec_id, "rejected"));
}
