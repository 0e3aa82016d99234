/**
 * Registers a route from the protocol's route table (`apiRoutes`): the path, the parsing of params, query and
 * body with the table's schemas (a bad field answers 4xx naming it), and the success status come from the
 * table; the handler only calls the use case and returns its answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { apiRoutes, type CallableRouteName, type RouteDef, type RouteInput, type RouteName, type RouteOutput } from "@kanade/protocol";
import type { Caller } from "../caller.js";
import { parseOr400 } from "../errors.js";
import { callerOf } from "./caller.js";

export interface RouteContext {
  req: FastifyRequest;
  reply: FastifyReply;
  caller: Caller;
  /** Picks one of the route's other documented success statuses (e.g. 200 for a replace instead of 201). */
  status(code: number): void;
}

export type Handler<K extends CallableRouteName> = (input: RouteInput<K>, ctx: RouteContext) => Promise<RouteOutput<K>>;

/** The table entry of a route, for registrations that handle the transport themselves (uploads, WebSockets). */
export const routeDef = (name: RouteName): RouteDef => apiRoutes[name] as RouteDef;

/** Parses the path params, query and body of a request as the route's table entry says. */
export function parseInput<K extends RouteName>(name: K, req: FastifyRequest): RouteInput<K> {
  const def = routeDef(name);
  const body = def.body;
  return {
    params: def.params ? parseOr400(def.params, req.params, "path") : {},
    query: def.query ? parseOr400(def.query, req.query, "query") : {},
    body: body?.kind === "json" ? parseOr400(body.schema, req.body ?? {}, "body", body.invalid) : body?.kind === "yaml" ? req.body : undefined,
  } as RouteInput<K>;
}

export function serve<K extends CallableRouteName>(app: FastifyInstance, name: K, handler: Handler<K>): void {
  const def = routeDef(name);
  const response = def.response;
  const allowed = response.kind === "json" ? new Set([response.status, ...(response.otherStatuses ?? [])]) : new Set<number>();
  app.route({
    method: def.method,
    url: def.path,
    handler: async (req, reply) => {
      let status: number | undefined;
      const ctx: RouteContext = {
        req,
        reply,
        caller: callerOf(req),
        status: (code) => {
          if (!allowed.has(code)) throw new Error(`route ${name} does not document status ${code}`);
          status = code;
        },
      };
      const out = await handler(parseInput(name, req), ctx);
      if (reply.sent) return reply;
      if (response.kind === "json") return reply.status(status ?? response.status).send(out);
      if (response.kind === "empty") return reply.status(response.status).send();
      if (response.kind === "text") return reply.type(response.contentType).send(out);
      return out;
    },
  });
}
