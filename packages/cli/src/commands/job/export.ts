import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(job: Command, deps: Deps): void {
  withJson(job.command("export"))
    .description("print a job's YAML exactly as it was registered")
    .argument("<id>", "job id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const yaml = await deps.client.call("exportJob", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, { id, yaml });
      deps.io.out(yaml.endsWith("\n") ? yaml : yaml + "\n");
    });
}
