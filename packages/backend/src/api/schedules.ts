/** Schedule routes: create (YAML or JSON), list, show, export, delete, enable/disable, preview, status, coverage. */
import type { FastifyInstance } from "fastify";
import { requireNats } from "../nats.js";
import type { Schedules } from "../schedules/index.js";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function scheduleRoutes(app: FastifyInstance, deps: RouteDeps, schedules: Schedules): void {
  serve(app, "createSchedule", async ({ body }, ctx) => {
    requireNats(deps.nats);
    const r = await schedules.create(ctx.caller, body);
    if (!r.created) ctx.status(200);
    return { id: r.id, job: r.job, enabled: r.enabled };
  });
  serve(app, "listSchedules", () => schedules.list());
  serve(app, "previewScheduleYaml", async ({ body, query }) => schedules.previewYaml(body, query.count));
  serve(app, "getSchedule", ({ params }) => schedules.get(params.id));
  serve(app, "exportSchedule", ({ params }) => schedules.exportYaml(params.id));
  serve(app, "deleteSchedule", async ({ params }, ctx) => {
    requireNats(deps.nats);
    await schedules.remove(ctx.caller, params.id);
    return { id: params.id, deleted: true as const };
  });
  serve(app, "enableSchedule", async ({ params }, ctx) => {
    requireNats(deps.nats);
    return { id: params.id, enabled: true, ...(await schedules.setEnabled(ctx.caller, params.id, true)) };
  });
  serve(app, "disableSchedule", async ({ params, body }, ctx) => {
    requireNats(deps.nats);
    const opts = { ...(body.cascade !== undefined ? { cascade: body.cascade } : {}), ...(body.cascade_kill !== undefined ? { cascadeKill: body.cascade_kill } : {}) };
    return { id: params.id, enabled: false, ...(await schedules.setEnabled(ctx.caller, params.id, false, opts)) };
  });
  serve(app, "previewSchedule", ({ params, query }) => schedules.preview(params.id, query.count));
  serve(app, "getScheduleStatus", ({ params }) => schedules.status(params.id));
  serve(app, "getScheduleCoverage", ({ params }) => schedules.coverage(params.id));
}
