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
        const res = await deps.client.createJob(m.yaml);
        const id = typeof res?.id === "string" ? res.id : m.manifest.id;
        const version = typeof res?.version === "string" ? res.version : m.manifest.version;
        created.push({ file: m.file, id, version });
        if (!wantsJson(cmd)) deps.io.out(`created ${id} ${version}\n`);
      }
      if (wantsJson(cmd)) printJson(deps.io, created);
    });
}
