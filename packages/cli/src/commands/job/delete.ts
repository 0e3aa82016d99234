import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(job: Command, deps: Deps): void {
  withJson(job.command("delete"))
    .description("delete a job; it is also revoked so agents refuse queued runs")
    .argument("<id>", "job id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await deps.client.call("deleteJob", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, { id, deleted: true, revoked: true });
      deps.io.out(`deleted ${id} (also revoked: agents will skip any queued run)\n`);
    });
}
