/** `kanade approve|reject <exec_id>`: decide on an execution waiting for approval (a different operator than the requester). */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { governanceApi } from "../../governance-client.js";
import { printJson } from "../../output.js";

export function register(program: Command, deps: Deps): void {
  for (const verb of ["approve", "reject"] as const) {
    withJson(program.command(verb))
      .description(verb === "approve" ? "approve an execution waiting for approval; it is published at once" : "reject an execution waiting for approval; it never runs")
      .argument("<exec_id>", "execution id")
      .action(async (execId: string, _opts: unknown, cmd: Command) => {
        const r = await governanceApi(deps.client).decide(execId, verb);
        if (wantsJson(cmd)) return printJson(deps.io, r);
        deps.io.out(`${verb === "approve" ? "approved" : "rejected"} ${execId} (${r.state})\n`);
      });
  }
}
