/** `kanade agent forget <pc>`: drop a decommissioned PC from the agent list (route `deleteAgent`). */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(agent: Command, deps: Deps): void {
  withJson(agent.command("forget"))
    .description("forget a decommissioned PC (its agent record, inventory and facts); a PC that still sends heartbeats comes back")
    .argument("<pc>", "pc_id")
    .action(async (pc: string, _opts: unknown, cmd: Command) => {
      const res = await deps.client.call("deleteAgent", { params: { pc } });
      if (wantsJson(cmd)) return printJson(deps.io, res);
      deps.io.out(`forgot agent ${res.pc_id}\n`);
    });
}
