/** `POST /api/scripts/:id/revoke|unrevoke`: flips `script_status`, which every agent checks before running. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, SCRIPT_STATUS, jobIdSchema, type ScriptStatus } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { requireNats } from "../nats.js";
import { callerOf } from "./caller.js";

const idParams = z.object({ id: jobIdSchema });

export function scriptRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const route = (action: "revoke" | "unrevoke", status: ScriptStatus): void => {
    app.post(`/api/scripts/:id/${action}`, async (req) => {
      const { id } = parseOr400(idParams, req.params, "job id");
      requireNats(deps.nats);
      // A deleted job still has a status entry (REVOKED); only ids never seen are unknown.
      const known = (await deps.catalog.get(id)) !== undefined || (await deps.catalog.status(id)) !== undefined;
      if (!known) throw new KanadeError("JOB_NOT_FOUND", `No job "${id}"`);
      await deps.auditLog.around(callerOf(req), { action: `script.${action}`, target: id, payload: { status } }, () => deps.catalog.setStatus(id, status));
      req.log.info({ job_id: id, status }, `script ${action}d`);
      return { id, status };
    });
  };
  route("revoke", SCRIPT_STATUS.REVOKED);
  route("unrevoke", SCRIPT_STATUS.ACTIVE);
}
