import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { loadManifestsOrThrow } from "../../manifest-files.js";
import { printJson } from "../../output.js";

export function register(job: Command, deps: Deps): void {
  withJson(job.command("create"))
    .description("validate job manifests locally, inline script_file, and register them")
    .argument("<yaml|dir...>", "manifest files, or directories of *.yaml / *.yml")
    .action(async (paths: string[], _opts: unknown, cmd: Command) => {
      // Validate everything first: one bad file means nothing is sent.
      const loaded = loadManifestsOrThrow(paths);
      const created: Array<{ file: string; id: string; version: string }> = [];
      for (const m of loaded) {
        const { id, version } = await deps.client.call("createJob", { body: m.yaml });
        created.push({ file: m.file, id, version });
        if (!wantsJson(cmd)) deps.io.out(`created ${id} ${version}\n`);
      }
      if (wantsJson(cmd)) printJson(deps.io, created);
    });
}
