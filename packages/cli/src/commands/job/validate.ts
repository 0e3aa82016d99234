import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { expandPaths, issueDetails, loadManifest } from "../../manifest-files.js";
import { printJson } from "../../output.js";

export function register(job: Command, deps: Deps): void {
  withJson(job.command("validate"))
    .description("check job manifests locally (nothing is sent); exit 2 if any is invalid")
    .argument("<yaml...>", "manifest files or directories")
    .action(async (paths: string[], _opts: unknown, cmd: Command): Promise<void> => {
      const outcomes = expandPaths(paths).map(loadManifest);
      if (wantsJson(cmd)) {
        printJson(
          deps.io,
          outcomes.map((o) =>
            o.ok
              ? { file: o.loaded.file, ok: true, id: o.loaded.manifest.id, version: o.loaded.manifest.version, issues: [] }
              : { file: o.file, ok: false, issues: o.issues },
          ),
        );
      } else {
        for (const o of outcomes) if (o.ok) deps.io.out(`ok ${o.loaded.file} (${o.loaded.manifest.id} ${o.loaded.manifest.version})\n`);
      }
      const details = issueDetails(outcomes);
      if (details.length > 0) throw badInput(`invalid job manifest: ${details.length} problem(s)`, details);
    });
}
