import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";
import { loadSchedulesOrThrow } from "../../schedule-files.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("create"))
    .description("validate schedule YAML locally and store it (an existing id is replaced)")
    .argument("<yaml|dir...>", "schedule files, or directories of *.yaml / *.yml")
    .action(async (paths: string[], _opts: unknown, cmd: Command) => {
      const loaded = loadSchedulesOrThrow(paths);
      const stored: Array<{ file: string; id: string; job: string; enabled: boolean }> = [];
      for (const s of loaded) {
        const r = await deps.client.call("createSchedule", { body: s.yaml });
        stored.push({ file: s.file, ...r });
        if (!wantsJson(cmd)) deps.io.out(`stored ${r.id} (job ${r.job}, ${r.enabled ? "enabled" : "disabled"})\n`);
      }
      if (wantsJson(cmd)) printJson(deps.io, stored);
    });
}
