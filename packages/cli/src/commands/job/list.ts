import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

export function register(job: Command, deps: Deps): void {
  withJson(job.command("list"))
    .description("list registered jobs")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listJobs");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["ID", "VERSION", "SHELL", "APPROVAL", "STATUS", "DESCRIPTION"],
          items.map((j) => [j.id, j.version, j.shell, j.require_approval ? "required" : "no", j.status, j.description]),
        ),
      );
    });
}
