/** `GET /api/jetstream/status`: each stream, KV bucket and object store with usage vs limit. */
import type { FastifyInstance } from "fastify";
import type { JetStreamStatus } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { jetstreamUsage } from "../jetstream-status.js";
import { requireNats } from "../nats.js";

export function jetstreamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  app.get("/api/jetstream/status", async (): Promise<JetStreamStatus> => {
    requireNats(deps.nats);
    return { items: await jetstreamUsage(deps.nats) };
  });
}
