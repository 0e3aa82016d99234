/** Compliance routes: every check's fleet pass rate, one check's per-PC verdicts, one PC's history of a check. */
import type { FastifyInstance } from "fastify";
import type { Compliance } from "../compliance/index.js";
import { serve } from "./route.js";

export function complianceRoutes(app: FastifyInstance, compliance: Compliance): void {
  serve(app, "listCompliance", async () => ({ items: await compliance.list(), next_cursor: null }));
  serve(app, "getCompliance", ({ params }) => compliance.get(params.job));
  serve(app, "getComplianceHistory", async ({ params, query }) => ({ items: await compliance.history(params.job, params.pc, query.limit), next_cursor: null }));
}
