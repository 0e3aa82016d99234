/** The command-signing keys: list, add (agents learn to trust it), retire (the next key takes over). Admins only. */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../deps.js";
import { requireNats } from "../nats.js";
import { publishCommandKeys } from "../signing/publish-keys.js";
import { serve } from "./route.js";

export function commandKeyRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { signer } = deps;
  serve(app, "listCommandKeys", async () => ({ items: signer.list(), next_cursor: null }));

  serve(app, "addCommandKey", async (_input, ctx) => {
    requireNats(deps.nats);
    const key = await deps.auditLog.around(ctx.caller, { action: "command_key.add", target: "command-keys" }, async () => {
      const k = signer.add(deps.clock());
      await publishCommandKeys(deps.nats, signer, deps.log, deps.clock());
      return k;
    }, (k) => ({ payload: { kid: k.kid } }));
    deps.log.warn({ kid: key.kid }, "command signing key added; retire the active one once agents have it");
    return key;
  });

  serve(app, "retireCommandKey", async ({ params }, ctx) => {
    requireNats(deps.nats);
    const key = await deps.auditLog.around(ctx.caller, { action: "command_key.retire", target: params.kid }, async () => {
      const k = signer.retire(params.kid, deps.clock());
      await publishCommandKeys(deps.nats, signer, deps.log, deps.clock());
      return k;
    });
    deps.log.warn({ kid: key.kid }, "command signing key retired");
    return key;
  });
}
