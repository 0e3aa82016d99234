import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";
import { describeFreeze } from "./status.js";

export function register(freeze: Command, deps: Deps): void {
  withJson(freeze.command("clear"))
    .description("end the fleet freeze (also a corrupt one)")
    .action(async (_opts: unknown, cmd: Command) => {
      const s = await deps.client.call("clearFreeze");
      if (wantsJson(cmd)) return printJson(deps.io, s);
      deps.io.out(describeFreeze(s));
    });
}
