/** `GET /api/audit`: the projected audit trail, newest first, filtered by actor, action, target and time. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { decodeCursor, limitSchema, page } from "../cursor.js";
import { parseOr400 } from "../errors.js";
import type { GovernanceDeps } from "../governance/deps.js";

const time = z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString());
const query = z.object({
  limit: limitSchema,
  cursor: z.string().optional(),
  actor: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  since: time.optional(),
  until: time.optional(),
});

export function auditRoutes(app: FastifyInstance, gov: GovernanceDeps): void {
  app.get("/api/audit", async (req) => {
    const q = parseOr400(query, req.query, "query");
    const after = decodeCursor(q.cursor);
    const rows = gov.store.listAudit({
      limit: q.limit + 1,
      ...(after ? { after } : {}),
      ...(q.actor ? { actor: q.actor } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.target ? { target: q.target } : {}),
      ...(q.since ? { since: q.since } : {}),
      ...(q.until ? { until: q.until } : {}),
    });
    return page(rows, q.limit, (r) => ({ at: r.at, id: r.id }));
  });
}
