/** Dynamic group routes: define/undefine a query, show a group's members, preview a query. */
import type { FastifyInstance } from "fastify";
import type { DynamicGroups } from "../groups/index.js";
import { serve } from "./route.js";

export function groupDefinitionRoutes(app: FastifyInstance, dynamic: DynamicGroups): void {
  serve(app, "listGroupDefinitions", async () => ({ items: dynamic.list(), next_cursor: null }));
  serve(app, "getGroup", async ({ params }) => dynamic.detail(params.g));
  serve(app, "defineGroup", ({ params, body }, ctx) => dynamic.define(ctx.caller, params.g, body));
  serve(app, "undefineGroup", async ({ params }, ctx) => {
    await dynamic.undefine(ctx.caller, params.g);
    return { name: params.g, undefined: true as const };
  });
  serve(app, "previewGroupQuery", async ({ body }) => dynamic.preview(body.query));
}
