/** `/api/perm-groups` and an account's permission groups (admins only; see governance/perm-groups.ts). */
import type { FastifyInstance } from "fastify";
import type { PermGroups } from "../governance/perm-groups.js";
import { serve } from "./route.js";

export function permGroupRoutes(app: FastifyInstance, permGroups: PermGroups): void {
  serve(app, "listPermGroups", async () => ({ items: permGroups.list(), next_cursor: null }));
  serve(app, "getPermGroup", async ({ params }) => permGroups.get(params.name));
  serve(app, "putPermGroup", async ({ params, body }, ctx) => {
    const { group, created } = await permGroups.put(ctx.caller, params.name, body);
    if (!created) ctx.status(200);
    return group;
  });
  serve(app, "deletePermGroup", async ({ params }, ctx) => {
    await permGroups.delete(ctx.caller, params.name);
    return { name: params.name, deleted: true as const };
  });
  serve(app, "getAccountPermGroups", async ({ params }) => permGroups.ofAccount(params.username));
  serve(app, "setAccountPermGroups", async ({ params, body }, ctx) => permGroups.setForAccount(ctx.caller, params.username, body.perm_groups));
}
