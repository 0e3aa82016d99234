/** Ad-hoc runs (issue 17 §1): run a script at PCs without a job, and read back the script a run recorded. */
import type { FastifyInstance } from "fastify";
import { ADHOC_JOB_ID, KanadeError } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function runRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "createRun", async ({ body }, ctx) => {
    try {
      const r = await deps.executions.startAdhoc(ctx.caller, body);
      ctx.req.log.info({ exec_id: r.exec_id, target_count: r.target_count, state: r.state }, "ad-hoc run created");
      return r;
    } catch (err) {
      // A refused run is audited too, with the script it would have run.
      if (err instanceof KanadeError && err.code === "FORBIDDEN") {
        await deps.audit(ctx.req, "run.refused", ADHOC_JOB_ID, { reason: err.message, shell: body.shell, script: body.script });
      }
      throw err;
    }
  });
  serve(app, "getRunScript", ({ params }) => deps.executions.adhocScript(params.exec_id));
}
