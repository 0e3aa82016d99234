import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("list"))
    .description("list schedules with their rule and next fire")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listSchedules");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["ID", "JOB", "ENABLED", "RUNS ON", "RULE", "NEXT FIRE", "LAST FIRED"],
          items.map((s) => [s.id, s.job, s.enabled ? "yes" : "no", s.runs_on, s.rule, s.next_fire_at ?? (s.kind === "per_pc" ? "per PC" : "-"), s.last_fired_at ?? "-"]),
        ),
      );
    });
}
