/** Executions: list, detail with per-PC rows, kill, approve and reject (see executions/). */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { UUID_RE, approvalDecisionSchema, jobIdSchema } from "@kanade/protocol";
import { decodeCursor, limitSchema } from "../cursor.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { STORED_STATES } from "../executions/types.js";
import { callerOf } from "./caller.js";

const params = z.object({ exec_id: z.string().regex(UUID_RE, "expected an exec_id (UUID)") });
const listQuery = z.object({
  limit: limitSchema,
  cursor: z.string().optional(),
  job_id: jobIdSchema.optional(),
  // Stored states; "completed" is computed on read, so it is found under "running".
  state: z.enum(STORED_STATES).optional(),
});
const detailQuery = z.object({ rows: z.enum(["true", "false", "1", "0"]).optional() });

export function executionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/api/executions", async (req) => {
    const q = parseOr400(listQuery, req.query, "query");
    const after = decodeCursor(q.cursor);
    return deps.executions.list({ limit: q.limit, ...(after ? { after } : {}), ...(q.job_id ? { job_id: q.job_id } : {}), ...(q.state ? { state: q.state } : {}) });
  });

  app.get("/api/executions/:exec_id", async (req) => {
    const { exec_id } = parseOr400(params, req.params, "exec id");
    const { rows } = parseOr400(detailQuery, req.query, "query");
    // `?rows=false` keeps polling cheap when thousands of PCs are targeted.
    return deps.executions.get(exec_id, !(rows === "false" || rows === "0"));
  });

  app.post("/api/executions/:exec_id/kill", async (req, reply) => {
    const { exec_id } = parseOr400(params, req.params, "exec id");
    return reply.status(202).send(await deps.executions.kill(callerOf(req), exec_id));
  });

  for (const [action, decision] of [["approve", "approved"], ["reject", "rejected"]] as const) {
    app.post(`/api/executions/:exec_id/${action}`, async (req) => {
      const { exec_id } = parseOr400(params, req.params, "exec id");
      const body = parseOr400(approvalDecisionSchema, req.body ?? {}, `${action} request`);
      return deps.executions.decide(callerOf(req), exec_id, decision, body.manifest_digest);
    });
  }
}
