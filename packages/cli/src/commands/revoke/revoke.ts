import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

/** `kanade revoke <job>` and `kanade unrevoke <job>`: one file, since they are mirror images. */
export function register(program: Command, deps: Deps): void {
  for (const verb of ["revoke", "unrevoke"] as const) {
    withJson(program.command(verb))
      .description(verb === "revoke" ? "stop agents running a job (they report it skipped, exit 126)" : "allow a revoked job to run again")
      .argument("<job>", "job id")
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const res = await deps.client.call(verb === "revoke" ? "revokeJob" : "unrevokeJob", { params: { id } });
        if (wantsJson(cmd)) return printJson(deps.io, { id: res.id, status: res.status });
        deps.io.out(`${verb}d ${id}\n`);
      });
  }
}
