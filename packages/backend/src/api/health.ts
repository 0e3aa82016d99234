/** `GET /health` (open) and `GET /api/version` (open). */
import type { FastifyInstance } from "fastify";
import { PROTOCOL_VERSION } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { BACKEND_VERSION } from "../version.js";
import { serve } from "./route.js";

export function healthRoutes(app: FastifyInstance, deps: Pick<RouteDeps, "nats" | "agents">): void {
  serve(app, "getHealth", async () => {
    // A cheap query proves the DB file is readable.
    await deps.agents.agentIds();
    return { status: "ok" as const, nats: deps.nats.isConnected() ? ("connected" as const) : ("disconnected" as const), db: "ok" as const };
  });
  serve(app, "getVersion", async () => ({ name: "kanade-backend" as const, version: BACKEND_VERSION, protocol: PROTOCOL_VERSION }));
}
