/** The projected audit trail, newest first, filtered by actor, action, target and time. */
import type { FastifyInstance } from "fastify";
import { decodeCursor, page } from "../cursor.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { serve } from "./route.js";

export function auditRoutes(app: FastifyInstance, gov: GovernanceDeps): void {
  serve(app, "listAudit", async ({ query: q }, ctx) => {
    const after = decodeCursor(q.cursor);
    const scope = ctx.caller.scope;
    const rows = await gov.auditLog.listAudit({
      limit: q.limit + 1,
      ...(scope ? { scopedTo: { actor: ctx.caller.actor, pcs: scope.pcs(), groups: scope.pcGroups } } : {}),
      ...(after ? { after } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.target ? { target: q.target } : {}),
      ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
    });
    return page(rows, q.limit, (r) => ({ at: r.at, id: r.id }));
  });
}
