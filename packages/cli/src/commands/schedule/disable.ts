import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("disable"))
    .description("stop a schedule firing")
    .argument("<id>", "schedule id")
    .option("--cascade", "also withdraw the queued commands of its running executions (offline PCs never get them)")
    .option("--cascade-kill", "also kill its runs in progress (implies --cascade)")
    .action(async (id: string, opts: { cascade?: boolean; cascadeKill?: boolean }, cmd: Command) => {
      const body = { ...(opts.cascade ? { cascade: true } : {}), ...(opts.cascadeKill ? { cascade_kill: true } : {}) };
      const r = await deps.client.call("disableSchedule", { params: { id }, body });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`disabled ${id}\n`);
      if (r.withdrawn.length > 0) deps.io.out(`withdrew the queued commands of ${r.withdrawn.length} execution(s): ${r.withdrawn.join(", ")}\n`);
      if (r.killed.length > 0) deps.io.out(`killed ${r.killed.length} execution(s): ${r.killed.join(", ")}\n`);
    });
}
