/** The caller of a request as plain values, for use-case modules that never see a request object. */
import type { FastifyRequest } from "fastify";
import type { Caller } from "../caller.js";

export function callerOf(req: FastifyRequest): Caller {
  return { actor: req.actor, role: req.identity?.role ?? "viewer", sourceIp: req.ip ?? null, ...(req.scope ? { scope: req.scope } : {}) };
}
