/** Results: filtered list (newest first) and one result by id. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, UUID_RE, pcIdSchema, resultStatusSchema, type ResultRecord } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { decodeCursor, limitSchema, page } from "../cursor.js";
import { parseOr400 } from "../errors.js";
import { openOutput, withFullOutput } from "../results-output.js";

const uuid = z.string().regex(UUID_RE, "expected a UUID");
const listQuery = z.object({
  limit: limitSchema,
  cursor: z.string().optional(),
  exec_id: uuid.optional(),
  pc_id: pcIdSchema.optional(),
  job_id: z.string().min(1).optional(),
  status: resultStatusSchema.optional(),
});
const params = z.object({ result_id: uuid });
const detailQuery = z.object({ full: z.enum(["1", "true", "0", "false"]).optional() });
const outputParams = z.object({ result_id: uuid, stream: z.enum(["stdout", "stderr"]) });

export function resultRoutes(app: FastifyInstance, deps: Pick<RouteDeps, "results" | "nats">): void {
  app.get("/api/results", async (req) => {
    const { limit, cursor, ...filter } = parseOr400(listQuery, req.query, "query");
    const after = decodeCursor(cursor);
    const rows = await deps.results.listResults({ limit: limit + 1, ...(after ? { after } : {}), ...filter });
    return page(rows, limit, (r) => ({ at: r.finished_at, id: r.result_id }));
  });

  app.get("/api/results/:result_id", async (req): Promise<ResultRecord> => {
    const { result_id } = parseOr400(params, req.params, "result id");
    const r = await deps.results.getResult(result_id);
    if (!r) throw new KanadeError("RESULT_NOT_FOUND", `No result "${result_id}"`);
    const { full } = parseOr400(detailQuery, req.query, "query");
    // full=1: stdout/stderr are the whole text from result_output; the *_truncated flags still describe the inline copy.
    return full === "1" || full === "true" ? withFullOutput(deps.nats, r) : r;
  });

  // The whole text of one stream, streamed: no size limit, memory stays flat.
  app.get("/api/results/:result_id/output/:stream", async (req, reply) => {
    const { result_id, stream } = parseOr400(outputParams, req.params, "path");
    const r = await deps.results.getResult(result_id);
    if (!r) throw new KanadeError("RESULT_NOT_FOUND", `No result "${result_id}"`);
    reply.type("text/plain; charset=utf-8");
    const full = await openOutput(deps.nats, r, stream);
    if (!full) return stream === "stdout" ? r.stdout : r.stderr;
    reply.header("content-length", full.size);
    return reply.send(full.body);
  });
}
