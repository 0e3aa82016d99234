import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("export"))
    .description("print a schedule's YAML as submitted (with enabled as it is now)")
    .argument("<id>", "schedule id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const yaml = await deps.client.call("exportSchedule", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, { id, yaml });
      deps.io.out(yaml.endsWith("\n") ? yaml : yaml + "\n");
    });
}
