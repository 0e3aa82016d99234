/** `kanade agent delete-release <key>`: remove one agent build (route `deleteAgentRelease`). */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(agent: Command, deps: Deps): void {
  withJson(agent.command("delete-release"))
    .description('delete one agent build from agent_releases (key as "kanade agent releases" shows it, e.g. 1.2.0 or 1.2.0-linux-x64)')
    .argument("<key>", "release key")
    .action(async (key: string, _opts: unknown, cmd: Command) => {
      const res = await deps.client.call("deleteAgentRelease", { params: { key } });
      if (wantsJson(cmd)) return printJson(deps.io, res);
      deps.io.out(`deleted agent build ${res.key}\n`);
    });
}
