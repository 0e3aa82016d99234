/** `kanade inventory <pc> | --app <name> | --job <id> [--history]`: what the fleet is made of. */
import type { Command } from "commander";
import { stringify } from "yaml";
import { JOB_ID_RE, PC_ID_RE, type InventoryRecord, type JobFactsTable } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable, type Cell } from "../../output.js";

const cell = (v: unknown): Cell => (v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v));

/** Fleet table of an inventory job; columns from the manifest's `inventory.display`, else every fact seen. */
export function renderJobFacts(t: JobFactsTable): string {
  const columns = t.columns.length
    ? t.columns
    : [...new Set(t.items.flatMap((r) => Object.keys(r.facts)))].sort().map((f) => ({ field: f, label: f }));
  return renderTable(
    ["PC", ...columns.map((c) => c.label), "COLLECTED"],
    t.items.map((r) => [r.pc_id, ...columns.map((c) => cell(r.facts[c.field])), r.collected_at]),
  );
}

function renderPc(rec: InventoryRecord): string {
  const out: string[] = [`pc: ${rec.pc_id}`];
  for (const [category, entry] of Object.entries(rec.categories)) {
    if (!entry) continue;
    const data = entry.data as Record<string, unknown>;
    if (category === "sw") {
      const apps = Array.isArray(data.apps) ? (data.apps as { name: string; version: string | null }[]) : [];
      out.push(`sw: ${apps.length} applications (${String(data.source ?? "?")}, collected ${entry.collected_at}) — use --json for the list`);
      continue;
    }
    out.push(stringify({ [category]: { collected_at: entry.collected_at, ...data } }, { lineWidth: 0 }).trimEnd());
  }
  return out.join("\n") + "\n";
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("inventory"))
    .description("show a PC's inventory, which PCs have an application, or an inventory job's facts")
    .argument("[pc]", "pc_id")
    .option("--app <name>", "PCs with an application whose name contains this (case-insensitive)")
    .option("--job <id>", "the fleet table of an inventory job (manifest with an inventory: block)")
    .option("--history", "with --job: what changed between runs (appeared / changed / removed)")
    .action(async (pc: string | undefined, opts: { app?: string; job?: string; history?: boolean }, cmd: Command) => {
      const json = wantsJson(cmd);
      const modes = [pc, opts.app, opts.job].filter((x) => x !== undefined).length;
      if (opts.job !== undefined ? modes > 2 || (pc !== undefined && opts.app !== undefined) : modes !== 1) {
        throw badInput("give a <pc>, --app <name> or --job <id> (a <pc> may narrow --job)");
      }
      if (pc !== undefined && !PC_ID_RE.test(pc)) throw badInput(`expected a pc_id (got "${pc}")`);
      if (opts.job !== undefined) {
        if (!JOB_ID_RE.test(opts.job)) throw badInput(`expected a job id (got "${opts.job}")`);
        const query = { ...(pc !== undefined ? { pc } : {}), ...(opts.history ? { history: true } : {}) };
        const facts = await deps.client.call("getJobFacts", { params: { job: opts.job }, query });
        // With history the answer is the list of changes; without, the fleet table (which has columns).
        if (!("columns" in facts)) {
          const { items } = facts;
          if (json) return printJson(deps.io, items);
          return deps.io.out(
            renderTable(
              ["AT", "PC", "FIELD", "CHANGE", "OLD", "NEW"],
              items.map((h) => [h.at, h.pc_id, h.field, h.change, cell(h.old_value), cell(h.new_value)]),
            ),
          );
        }
        return json ? printJson(deps.io, facts) : deps.io.out(renderJobFacts(facts));
      }
      if (opts.app !== undefined) {
        const { items } = await deps.client.call("findInstalledApps", { query: { app: opts.app } });
        if (json) return printJson(deps.io, items);
        return deps.io.out(renderTable(["PC", "APPLICATION", "VERSION", "PUBLISHER"], items.map((a) => [a.pc_id, a.name, a.version, a.publisher])));
      }
      const rec = await deps.client.call("getInventory", { params: { pc: pc! } });
      if (json) return printJson(deps.io, rec);
      deps.io.out(renderPc(rec));
    });
}
