/** Inventory: built-in categories per PC, "who has application X", and inventory-job facts as a fleet table. */
import type { FastifyInstance } from "fastify";
import { KanadeError, type JobFactsTable } from "@kanade/protocol";
import type { FleetStore } from "../db/fleet-store.js";
import type { RouteDeps } from "../deps.js";
import { serve } from "./route.js";

export function inventoryRoutes(app: FastifyInstance, deps: RouteDeps, fleet: FleetStore): void {
  serve(app, "findInstalledApps", async ({ query }) => ({ items: await fleet.findApps(query.app, query.limit), next_cursor: null }));

  serve(app, "findMissingApp", async ({ query }) => ({ app: query.app, ...(await fleet.missingApp(query.app)), next_cursor: null }));

  serve(app, "getInventory", async ({ params }) => {
    const record = await fleet.getInventory(params.pc);
    if (!record) throw new KanadeError("AGENT_NOT_FOUND", `No inventory from "${params.pc}" yet`);
    return record;
  });

  serve(app, "getJobFacts", async ({ params, query }) => {
    const job = params.job;
    const manifest = await deps.catalog.get(job);
    if (query.history) return { items: await fleet.factHistory(job, query.pc), next_cursor: null };
    const items = (await fleet.listJobFacts(job)).filter((r) => !query.pc || r.pc_id === query.pc);
    if (!manifest && items.length === 0) throw new KanadeError("JOB_NOT_FOUND", `No job "${job}"`);
    const columns = (manifest?.inventory?.display ?? []).map((c) => ({ field: c.field, label: c.label }));
    const table: JobFactsTable = { job_id: job, columns, items, next_cursor: null };
    return table;
  });
}
