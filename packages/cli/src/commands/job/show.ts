import type { Command } from "commander";
import { stringify } from "yaml";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(job: Command, deps: Deps): void {
  withJson(job.command("show"))
    .description("show a job's catalog status and its manifest (defaults filled in)")
    .argument("<id>", "job id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const detail = await deps.client.call("getJob", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, detail);
      deps.io.out(
        `job: ${detail.id} ${detail.version}\nstatus: ${detail.status}\napproval: ${detail.require_approval ? "required" : "not required"}\n\n` +
          stringify(detail.manifest ?? detail, { lineWidth: 0 }),
      );
    });
}
