/** Firing a job at PCs (see executions/), and previewing what a request would target before firing it. */
import type { FastifyInstance } from "fastify";
import { KanadeError, SCRIPT_STATUS } from "@kanade/protocol";
import { isOnline } from "../agents/online.js";
import type { RouteDeps } from "../deps.js";
import { normalizeTarget } from "../executions/publish.js";
import { narrowRequest } from "../executions/scope-target.js";
import { targetResolver } from "../executions/targets.js";
import { serve } from "./route.js";

export function execRoutes(app: FastifyInstance, deps: RouteDeps): void {
  serve(app, "execJob", ({ params, body }, ctx) => deps.executions.start(ctx.caller, params.job_id, body));

  // The same resolution the exec uses (named PCs, group members from the mirror, every known agent), so the
  // count an operator confirms is the count that runs.
  const resolve = targetResolver({ members: (g) => deps.groups.members(g), agentIds: () => deps.agents.agentIds() });
  serve(app, "previewExec", async ({ params, body: asked }, ctx) => {
    const { request: body } = narrowRequest(asked, ctx.caller.scope);
    const target = normalizeTarget(body);
    if (!target.pcs && !target.groups && !target.all) {
      throw new KanadeError("NO_TARGET", "No target: give pcs, groups or all", { details: [{ path: "", message: "one of pcs, groups or all is required" }] });
    }
    const manifest = await deps.catalog.get(params.job_id);
    if (!manifest) throw new KanadeError("JOB_NOT_FOUND", `No job "${params.job_id}"`);
    if ((await deps.catalog.status(params.job_id)) === SCRIPT_STATUS.REVOKED) {
      throw new KanadeError("CONFLICT", `Job "${params.job_id}" is revoked; run "kanade unrevoke ${params.job_id}" first`);
    }
    const pcs = await resolve(target);
    const now = deps.clock();
    const known = new Map((await deps.agents.listAgents()).map((a) => [a.pc_id, isOnline(a, now)]));
    const online = pcs.filter((pc) => known.get(pc) === true).length;
    const unknown = pcs.filter((pc) => !known.has(pc));
    return {
      job_id: params.job_id,
      version: manifest.version,
      require_approval: manifest.require_approval,
      target_count: pcs.length,
      online,
      offline: pcs.length - online - unknown.length,
      unknown,
    };
  });
}
