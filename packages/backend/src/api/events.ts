/** The event timeline, newest first, filtered by PC, kind and time. */
import type { FastifyInstance } from "fastify";
import { decodeCursor, page } from "../cursor.js";
import type { EventsStore } from "../events/store.js";
import { serve } from "./route.js";

export function eventsRoutes(app: FastifyInstance, store: Pick<EventsStore, "listEvents">): void {
  serve(app, "listEvents", async ({ query: q }) => {
    const after = decodeCursor(q.cursor);
    const rows = await store.listEvents({
      limit: q.limit + 1,
      ...(after ? { after } : {}),
      ...(q.pc ? { pc: q.pc } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.since ? { since: q.since } : {}),
      ...(q.until ? { until: q.until } : {}),
    });
    return page(rows, q.limit, (r) => ({ at: r.at, id: r.event_id }));
  });
}
