import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { resolveExecId } from "../../exec-id.js";
import { printJson } from "../../output.js";

export function register(program: Command, deps: Deps): void {
  withJson(program.command("kill"))
    .description("hard-kill an execution's runs on every agent (process tree included)")
    .argument("<exec_id>", "execution id, or any unique prefix or suffix of 4+ hex digits")
    .action(async (idText: string, _opts: unknown, cmd: Command) => {
      const execId = await resolveExecId(deps, idText);
      await deps.client.call("killExecution", { params: { exec_id: execId } });
      if (wantsJson(cmd)) return printJson(deps.io, { exec_id: execId, kill_sent: true });
      deps.io.out(`kill sent for ${execId}\n`);
    });
}
