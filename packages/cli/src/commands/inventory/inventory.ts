/** `kanade inventory <pc> | --app <name> [--pcs] | --missing <name> | --job <id> [--history]`: what the fleet is made of. */
import type { Command } from "commander";
import { stringify } from "yaml";
import { JOB_ID_RE, PC_ID_RE, packageVersions, type InventoryRecord, type JobFactsTable } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput, CliError } from "../../errors.js";
import { formatBytes } from "../../format.js";
import { escapeTerminal, printJson, renderTable, type Cell } from "../../output.js";

const cell = (v: unknown): Cell => (v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v));

/** Facts as people read them: every `*_bytes` number in binary units (`ram_bytes: 16.0 GiB`). */
export function humanFacts(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => humanFacts(v));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, humanFacts(v, k)]));
  if (typeof value === "number" && key.endsWith("_bytes")) return formatBytes(value);
  return value;
}

/** Nothing matched: said on stderr, exit 1 (like grep), so scripts can tell "none" from "some". */
const nothingFound = (message: string): CliError => new CliError(message, { code: "FAILED" });

/** Fleet table of an inventory job; columns from the manifest's `inventory.display`, else every fact seen. */
export function renderJobFacts(t: JobFactsTable): string {
  const columns = t.columns.length
    ? t.columns
    : [...new Set(t.items.flatMap((r) => Object.keys(r.facts)))].sort().map((f) => ({ field: f, label: f }));
  return renderTable(
    ["PC", ...columns.map((c) => c.label), "COLLECTED"],
    t.items.map((r) => [r.pc_id, ...columns.map((c) => cell(humanFacts(r.facts[c.field], c.field))), r.collected_at]),
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
    out.push(stringify({ [category]: { collected_at: entry.collected_at, ...(humanFacts(data) as Record<string, unknown>) } }, { lineWidth: 0 }).trimEnd());
  }
  return out.join("\n") + "\n";
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("inventory"))
    .description("show a PC's inventory, which PCs have (or lack) an application, or an inventory job's facts; exit 1 when nothing matches")
    .argument("[pc]", "pc_id")
    .option("--app <name>", "applications whose name contains this (case-insensitive): one row per package and version, with its PC count")
    .option("--pcs", "with --app: one row per PC instead")
    .option("--missing <name>", "PCs whose software inventory has no application whose name contains this")
    .option("--job <id>", "the fleet table of an inventory job (manifest with an inventory: block)")
    .option("--history", "with --job: what changed between runs (appeared / changed / removed)")
    .action(async (pc: string | undefined, opts: { app?: string; pcs?: boolean; missing?: string; job?: string; history?: boolean }, cmd: Command) => {
      const json = wantsJson(cmd);
      const modes = [pc, opts.app, opts.missing, opts.job].filter((x) => x !== undefined).length;
      if (opts.job !== undefined ? modes > 2 || (pc !== undefined && (opts.app ?? opts.missing) !== undefined) : modes !== 1) {
        throw badInput("give a <pc>, --app <name>, --missing <name> or --job <id> (a <pc> may narrow --job)");
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
        if (json) return printJson(deps.io, facts);
        if (facts.items.length === 0) throw nothingFound(`no PC has reported facts for ${opts.job}${pc ? ` on ${pc}` : ""} yet`);
        return deps.io.out(renderJobFacts(facts));
      }
      if (opts.missing !== undefined) {
        const r = await deps.client.call("findMissingApp", { query: { app: opts.missing } });
        if (json) printJson(deps.io, r);
        else {
          if (r.items.length > 0) deps.io.out(renderTable(["PC", "SOFTWARE COLLECTED"], r.items.map((x) => [x.pc_id, x.collected_at])));
          const unknown = r.without_inventory.length;
          deps.io.out(
            escapeTerminal(
              `${r.items.length} PC${r.items.length === 1 ? "" : "s"} without an application matching "${opts.missing}"` +
                (unknown > 0 ? `; ${unknown} more never reported software: ${r.without_inventory.slice(0, 10).join(", ")}${unknown > 10 ? ", …" : ""}` : "") +
                "\n",
            ),
          );
        }
        if (r.items.length === 0) throw nothingFound(`every PC with software inventory has an application matching "${opts.missing}"`);
        return;
      }
      if (opts.app !== undefined) {
        const { items } = await deps.client.call("findInstalledApps", { query: { app: opts.app } });
        if (json) printJson(deps.io, items);
        else if (opts.pcs) deps.io.out(renderTable(["PC", "APPLICATION", "VERSION", "PUBLISHER"], items.map((a) => [a.pc_id, a.name, a.version, a.publisher])));
        else if (items.length > 0) {
          const rows = packageVersions(items);
          deps.io.out(renderTable(["APPLICATION", "VERSION", "PUBLISHER", "PCS"], rows.map((p) => [p.name, p.version, p.publisher, p.pcs.length])));
          deps.io.out(`${rows.length} package version${rows.length === 1 ? "" : "s"} on ${new Set(items.map((a) => a.pc_id)).size} PCs (--pcs lists each PC)\n`);
        }
        if (items.length === 0) throw nothingFound(`no PC reports an application whose name contains "${opts.app}"`);
        return;
      }
      const rec = await deps.client.call("getInventory", { params: { pc: pc! } });
      if (json) return printJson(deps.io, rec);
      deps.io.out(renderPc(rec));
    });
}
