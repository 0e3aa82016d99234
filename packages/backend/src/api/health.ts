/** `GET /health` (open), `GET /api/version` (open), `GET /api/health/fleet` and the editors' JSON Schemas (open). */
import type { FastifyInstance } from "fastify";
import { PROTOCOL_VERSION, jsonSchema, type JsonSchemaName } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { fleetHealth } from "../fleet-health.js";
import { BACKEND_VERSION } from "../version.js";
import { serve } from "./route.js";

export function healthRoutes(app: FastifyInstance, deps: Pick<RouteDeps, "nats" | "agents" | "clock">): void {
  serve(app, "getHealth", async () => {
    // A cheap query proves the DB file is readable.
    await deps.agents.agentIds();
    return { status: "ok" as const, nats: deps.nats.isConnected() ? ("connected" as const) : ("disconnected" as const), db: "ok" as const };
  });
  serve(app, "getFleetHealth", async ({ query }, ctx) => {
    const h = await fleetHealth(deps, query);
    if (h.status !== "ok") ctx.status(503);
    return h;
  });
  // Generated once per process: they change only with the code.
  const schemas = new Map<string, Record<string, unknown>>();
  serve(app, "getJsonSchema", async ({ params }, ctx) => {
    const name = params.file.slice(0, -".json".length) as JsonSchemaName;
    let doc = schemas.get(name);
    if (!doc) schemas.set(name, (doc = jsonSchema(name)));
    ctx.reply.header("cache-control", "public, max-age=300");
    return doc;
  });
  serve(app, "getVersion", async () => ({ name: "kanade-backend" as const, version: BACKEND_VERSION, protocol: PROTOCOL_VERSION }));
}
