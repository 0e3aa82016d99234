/** Firing a job at PCs (see executions/). */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function execRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "execJob", ({ params, body }, ctx) => deps.executions.start(ctx.caller, params.job_id, body));
}
