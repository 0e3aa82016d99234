import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("preview"))
    .description("the next fire times of a schedule, constraints applied")
    .argument("<id>", "schedule id")
    .option("--count <n>", "how many fires (1-100)", "10")
    .action(async (id: string, opts: { count: string }, cmd: Command) => {
      const count = Number(opts.count);
      if (!Number.isInteger(count) || count < 1 || count > 100) throw badInput("--count: expected a whole number from 1 to 100", [{ path: "--count", message: "expected 1-100" }]);
      const p = await deps.client.call("previewSchedule", { params: { id }, query: { count } });
      if (wantsJson(cmd)) return printJson(deps.io, p);
      if (p.per_pc) return deps.io.out(`${id} fires per PC, counted from each PC's own last result: see "kanade schedule coverage ${id}"\n`);
      if (p.fires.length === 0) return deps.io.out(`${id} has no fire planned (zone ${p.zone})\n`);
      deps.io.out(`zone ${p.zone}\n` + renderTable(["FIRE AT (UTC)", "OCCURRENCE (UTC)"], p.fires.map((f) => [f.fire_at, f.occurrence])));
    });
}
