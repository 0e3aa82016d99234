/** Inventory: built-in categories per PC, "who has application X", and inventory-job facts as a fleet table. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, jobIdSchema, pcIdSchema, type JobFactsTable } from "@kanade/protocol";
import type { FleetStore } from "../db/fleet-store.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";

const appQuery = z.object({
  app: z.string().trim().min(1, "expected an application name (or part of one)"),
  limit: z.coerce.number().int().positive().max(100_000).default(10_000),
  cursor: z.string().optional(),
});
const jobQuery = z.object({
  pc: pcIdSchema.optional(),
  history: z.enum(["true", "false", "1", "0"]).optional(),
});

export function inventoryRoutes(app: FastifyInstance, deps: RouteDeps, fleet: FleetStore): void {
  app.get("/api/inventory", async (req) => {
    const q = parseOr400(appQuery, req.query, "query");
    return { items: await fleet.findApps(q.app, q.limit), next_cursor: null };
  });

  app.get("/api/inventory/:pc", async (req) => {
    const { pc } = parseOr400(z.object({ pc: pcIdSchema }), req.params, "pc_id");
    const record = await fleet.getInventory(pc);
    if (!record) throw new KanadeError("AGENT_NOT_FOUND", `No inventory from "${pc}" yet`);
    return record;
  });

  app.get("/api/inventory/jobs/:job", async (req) => {
    const { job } = parseOr400(z.object({ job: jobIdSchema }), req.params, "job id");
    const q = parseOr400(jobQuery, req.query, "query");
    const manifest = await deps.catalog.get(job);
    if (q.history === "true" || q.history === "1") {
      return { items: await fleet.factHistory(job, q.pc), next_cursor: null };
    }
    const items = (await fleet.listJobFacts(job)).filter((r) => !q.pc || r.pc_id === q.pc);
    if (!manifest && items.length === 0) throw new KanadeError("JOB_NOT_FOUND", `No job "${job}"`);
    const columns = (manifest?.inventory?.display ?? []).map((c) => ({ field: c.field, label: c.label }));
    const table: JobFactsTable = { job_id: job, columns, items, next_cursor: null };
    return table;
  });
}
