/** `POST /api/exec/:job_id`: fire a job at PCs (see executions/). */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { execRequestSchema, jobIdSchema } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { callerOf } from "./caller.js";

const params = z.object({ job_id: jobIdSchema });

export function execRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.post("/api/exec/:job_id", async (req, reply) => {
    const { job_id } = parseOr400(params, req.params, "job id");
    const body = parseOr400(execRequestSchema, req.body ?? {}, "exec request");
    return reply.status(202).send(await deps.executions.start(callerOf(req), job_id, body));
  });
}
