/** The one place errors become HTTP responses: KanadeError codes → status, zod → 400 with details. */
import type { FastifyError, FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, type ErrorCode, type ErrorDetail } from "@kanade/protocol";
import { isNatsUnavailable } from "./nats.js";

export function zodDetails(err: z.ZodError): ErrorDetail[] {
  return err.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.code === "unrecognized_keys" ? `unknown field(s): ${i.keys.join(", ")}` : i.message,
  }));
}

/** Parses with zod, turning a failure into a 4xx (BAD_REQUEST unless told) whose message and details name each bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string, code: ErrorCode = "BAD_REQUEST"): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = zodDetails(r.error);
  const list = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ");
  throw new KanadeError(code, `invalid ${what}: ${list}`, { details });
}

function toKanadeError(err: FastifyError | Error): KanadeError {
  if (err instanceof KanadeError) return err;
  if (err instanceof z.ZodError) return new KanadeError("BAD_REQUEST", "invalid request", { details: zodDetails(err) });
  if (isNatsUnavailable(err)) return new KanadeError("NATS_UNAVAILABLE", `The NATS broker cannot be reached: ${err.message}`, { cause: err });
  const status = (err as FastifyError).statusCode;
  if (status === 413) return new KanadeError("PAYLOAD_TOO_LARGE", err.message, { cause: err });
  if (status === 404) return new KanadeError("NOT_FOUND", err.message, { cause: err });
  if (status !== undefined && status >= 400 && status < 500) return new KanadeError("BAD_REQUEST", err.message, { cause: err });
  return new KanadeError("INTERNAL", "Internal error", { cause: err });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (err: FastifyError | Error, req, reply) => {
    const k = toKanadeError(err);
    if (k.code === "INTERNAL") req.log.error({ err }, "unhandled error");
    else if (k.status >= 500) req.log.warn({ err }, k.message);
    // Fastify's own 415 (unsupported content type) keeps its status so clients see what is wrong.
    const status = (err as FastifyError).statusCode === 415 ? 415 : k.status;
    return reply.status(status).send(k.toBody());
  });
  app.setNotFoundHandler(async (req, reply) => {
    const k = new KanadeError("NOT_FOUND", `No route ${req.method} ${req.url.split("?")[0]}`);
    return reply.status(404).send(k.toBody());
  });
}
