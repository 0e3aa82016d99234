import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("enable"))
    .description("let a schedule fire again (what came due while it was disabled does not fire)")
    .argument("<id>", "schedule id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("enableSchedule", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`enabled ${id}\n`);
    });
}
