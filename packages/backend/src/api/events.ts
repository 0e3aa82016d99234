/** The event timeline, newest first, filtered by PC, kind and time. */
import type { FastifyInstance } from "fastify";
import { decodeCursor, page } from "../cursor.js";
import type { EventsStore } from "../events/store.js";
import { serve } from "./route.js";

export function eventsRoutes(app: FastifyInstance, store: Pick<EventsStore, "listEvents">): void {
  serve(app, "listEvents", async ({ query: q }, ctx) => {
    const after = decodeCursor(q.cursor);
    const scope = ctx.caller.scope;
    const rows = await store.listEvents({
      limit: q.limit + 1,
      ...(scope ? { inPcs: scope.pcs() } : {}),
      ...(after ? { after } : {}),
      ...(q.pc ? { pc: q.pc } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.since ? { since: q.since } : {}),
      ...(q.until ? { until: q.until } : {}),
    });
    return page(rows, q.limit, (r) => ({ at: r.at, id: r.event_id }));
  });
}
