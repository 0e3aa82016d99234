/** `POST /api/executions/{exec_id}/approve|reject`: a different identity than the requester decides. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { UUID_RE } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { decide } from "../exec/approval.js";
import type { GovernanceDeps } from "../governance/index.js";

const params = z.object({ exec_id: z.string().regex(UUID_RE, "expected an exec_id (UUID)") });

export function approvalRoutes(app: FastifyInstance, deps: RouteDeps, _gov: GovernanceDeps): void {
  app.post("/api/executions/:exec_id/approve", async (req) => decide(deps, req, parseOr400(params, req.params, "exec id").exec_id, "approved"));
  app.post("/api/executions/:exec_id/reject", async (req) => decide(deps, req, parseOr400(params, req.params, "exec id").exec_id, "rejected"));
}
