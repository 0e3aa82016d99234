import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { expandPaths } from "../../manifest-files.js";
import { printJson } from "../../output.js";
import { loadSchedule, scheduleIssueDetails } from "../../schedule-files.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("validate"))
    .description("check schedule YAML locally (nothing is sent); exit 2 if any is invalid")
    .argument("<yaml...>", "schedule files or directories")
    .action(async (paths: string[], _opts: unknown, cmd: Command): Promise<void> => {
      const outcomes = expandPaths(paths).map(loadSchedule);
      if (wantsJson(cmd)) {
        printJson(deps.io, outcomes.map((o) => (o.ok ? { file: o.loaded.file, ok: true, id: o.loaded.schedule.id, issues: [] } : { file: o.file, ok: false, issues: o.issues })));
      } else {
        for (const o of outcomes) if (o.ok) deps.io.out(`ok ${o.loaded.file} (${o.loaded.schedule.id})\n`);
      }
      const details = scheduleIssueDetails(outcomes);
      if (details.length > 0) throw badInput(`invalid schedule: ${details.length} problem(s)`, details);
    });
}
