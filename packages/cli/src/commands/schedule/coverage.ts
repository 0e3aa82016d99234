import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("coverage"))
    .description("every targeted PC, online or not: ok / failed / skipped / running / pending / not yet due, and the version it ran")
    .argument("<id>", "schedule id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const c = await deps.client.call("getScheduleCoverage", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, c);
      const counts = Object.entries(c.counts).map(([k, n]) => `${k.replaceAll("_", " ")} ${n}`).join(", ");
      deps.io.out(
        `${c.id} (job ${c.job}): ${c.total} PC(s): ${counts}\n` +
          renderTable(
            ["PC", "STATE", "ONLINE", "VERSION", "EXIT", "FIRED AT", "FINISHED AT"],
            c.items.map((r) => [r.pc_id, r.state.replaceAll("_", " "), r.online === null ? "unknown" : r.online ? "yes" : "no", r.version ?? "-", r.exit_code === null ? "-" : String(r.exit_code), r.fired_at ?? "-", r.finished_at ?? "-"]),
          ),
      );
    });
}
