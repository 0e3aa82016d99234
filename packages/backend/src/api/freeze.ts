/** The fleet freeze: read it, set it, clear it. */
import type { FastifyInstance } from "fastify";
import type { Freeze } from "../freeze/index.js";
import { requireNats } from "../nats.js";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function freezeRoutes(app: FastifyInstance, deps: RouteDeps, freeze: Freeze): void {
  serve(app, "getFreeze", () => freeze.status());
  serve(app, "setFreeze", async ({ body }, ctx) => {
    requireNats(deps.nats);
    return freeze.set(ctx.caller, body);
  });
  serve(app, "clearFreeze", async (_input, ctx) => {
    requireNats(deps.nats);
    return freeze.clear(ctx.caller);
  });
}
