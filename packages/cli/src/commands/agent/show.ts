import type { Command } from "commander";
import { stringify } from "yaml";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(agent: Command, deps: Deps): void {
  withJson(agent.command("show"))
    .description("show one agent: identity, OS, groups, last heartbeat")
    .argument("<pc>", "pc_id")
    .action(async (pc: string, _opts: unknown, cmd: Command) => {
      const detail = await deps.client.call("getAgent", { params: { pc } });
      if (wantsJson(cmd)) return printJson(deps.io, detail);
      deps.io.out(stringify(detail, { lineWidth: 0 }));
    });
}
