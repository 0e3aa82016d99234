import type { Command } from "commander";
import { stringify } from "yaml";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("show"))
    .description("show a schedule as stored (defaults filled in)")
    .argument("<id>", "schedule id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const d = await deps.client.call("getSchedule", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, d);
      deps.io.out(
        `schedule: ${d.id} (job ${d.job})\nenabled: ${d.enabled ? "yes" : "no"}\nruns on: ${d.runs_on}\nrule: ${d.rule}\n` +
          `next fire: ${d.next_fire_at ?? (d.kind === "per_pc" ? "per PC" : "-")}\nlast fired: ${d.last_fired_at ?? "-"}\n\n` +
          stringify(d.schedule, { lineWidth: 0 }),
      );
    });
}
