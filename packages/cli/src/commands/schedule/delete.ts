import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("delete"))
    .description("delete a schedule; nothing more fires (runs already sent go on: see disable --cascade)")
    .argument("<id>", "schedule id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("deleteSchedule", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`deleted ${id}\n`);
    });
}
