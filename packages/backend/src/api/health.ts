/** `GET /health` (open) and `GET /api/version` (open). */
import type { FastifyInstance } from "fastify";
import { PROTOCOL_VERSION, type VersionInfo } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { BACKEND_VERSION } from "../version.js";

export function healthRoutes(app: FastifyInstance, deps: Pick<RouteDeps, "nats" | "agents">): void {
  app.get("/health", async () => {
    // A cheap query proves the DB file is readable.
    await deps.agents.agentIds();
    return { status: "ok", nats: deps.nats.isConnected() ? "connected" : "disconnected", db: "ok" };
  });
  app.get("/api/version", async (): Promise<VersionInfo> => ({
    name: "kanade-backend",
    version: BACKEND_VERSION,
    protocol: PROTOCOL_VERSION,
  }));
}
