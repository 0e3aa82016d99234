import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(program: Command, deps: Deps): void {
  withJson(program.command("kill"))
    .description("hard-kill an execution's runs on every agent (process tree included)")
    .argument("<exec_id>", "execution id")
    .action(async (execId: string, _opts: unknown, cmd: Command) => {
      await deps.client.call("killExecution", { params: { exec_id: execId } });
      if (wantsJson(cmd)) return printJson(deps.io, { exec_id: execId, kill_sent: true });
      deps.io.out(`kill sent for ${execId}\n`);
    });
}
