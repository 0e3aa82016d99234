import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

const pct = (rate: number | null): string => (rate === null ? "-" : `${Math.round(rate * 1000) / 10}%`);

export function register(program: Command, deps: Deps): void {
  withJson(program.command("compliance"))
    .description("compliance checks: every check's pass rate, one check's PCs (failing first), or one PC's history")
    .argument("[check]", "the check's job id")
    .option("--pc <pc>", "with a check: that PC's verdicts, newest first")
    .option("--limit <n>", "with --pc: how many (default 20)", "20")
    .action(async (check: string | undefined, opts: { pc?: string; limit: string }, cmd: Command) => {
      const json = wantsJson(cmd);
      if (check === undefined) {
        const { items } = await deps.client.call("listCompliance");
        if (json) return printJson(deps.io, items);
        return deps.io.out(
          renderTable(["CHECK", "VERSION", "PASS RATE", "PASS", "FAIL", "UNKNOWN", "PCS", "WEBHOOK"], items.map((c) => [c.job_id, c.version, pct(c.pass_rate), String(c.pass), String(c.fail), String(c.unknown), String(c.total), c.webhook ? "yes" : "no"])),
        );
      }
      if (opts.pc !== undefined) {
        const { items } = await deps.client.call("getComplianceHistory", { params: { job: check, pc: opts.pc }, query: { limit: Number(opts.limit) } });
        if (json) return printJson(deps.io, items);
        return deps.io.out(renderTable(["CHECKED AT", "VERDICT", "VERSION", "DETAIL"], items.map((h) => [h.checked_at, h.verdict, h.version, h.detail])));
      }
      const d = await deps.client.call("getCompliance", { params: { job: check } });
      if (json) return printJson(deps.io, d);
      deps.io.out(
        `${d.job_id} ${d.version}: ${pct(d.pass_rate)} pass (${d.pass} pass, ${d.fail} fail, ${d.unknown} unknown of ${d.total} PCs)\n` +
          renderTable(["PC", "VERDICT", "SINCE", "CHECKED AT", "DETAIL"], d.items.map((r) => [r.pc_id, r.verdict, r.since, r.checked_at, r.detail])),
      );
    });
}
