/** Results: filtered list (newest first), one result by id, and one stream of its output, streamed. */
import type { FastifyInstance } from "fastify";
import { KanadeError, type ResultRecord } from "@kanade/protocol";
import { decodeCursor, page } from "../cursor.js";
import type { RouteDeps } from "../deps.js";
import { openOutput, withFullOutput } from "../results-output.js";
import { serve } from "./route.js";

export function resultRoutes(app: FastifyInstance, deps: Pick<RouteDeps, "results" | "nats">): void {
  const mustGet = async (resultId: string): Promise<ResultRecord> => {
    const r = await deps.results.getResult(resultId);
    if (!r) throw new KanadeError("RESULT_NOT_FOUND", `No result "${resultId}"`);
    return r;
  };

  serve(app, "listResults", async ({ query }, ctx) => {
    const { limit, cursor, ...filter } = query;
    const after = decodeCursor(cursor);
    // A scoped caller's page is read from its PCs only, so it is full (the answer filter stays as a backstop).
    const scope = ctx.caller.scope;
    const rows = await deps.results.listResults({ limit: limit + 1, ...(after ? { after } : {}), ...filter, ...(scope ? { in_pcs: scope.pcs() } : {}) });
    return page(rows, limit, (r) => ({ at: r.finished_at, id: r.result_id }));
  });

  serve(app, "getResult", async ({ params, query }) => {
    const r = await mustGet(params.result_id);
    // full: stdout/stderr are the whole text from result_output; the *_truncated flags still describe the inline copy.
    return query.full ? withFullOutput(deps.nats, r) : r;
  });

  // The whole text of one stream, streamed: no size limit, memory stays flat.
  serve(app, "getResultOutput", async ({ params }, ctx) => {
    const r = await mustGet(params.result_id);
    ctx.reply.type("text/plain; charset=utf-8");
    const full = await openOutput(deps.nats, r, params.stream);
    if (!full) return params.stream === "stdout" ? r.stdout : r.stderr;
    ctx.reply.header("content-length", full.size);
    return full.body;
  });
}
