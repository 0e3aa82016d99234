import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

export function register(schedule: Command, deps: Deps): void {
  withJson(schedule.command("status"))
    .description("whether a schedule fires now, its recent and next fires, and coverage counts")
    .argument("<id>", "schedule id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const s = await deps.client.call("getScheduleStatus", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, s);
      const counts = Object.entries(s.counts).map(([k, n]) => `${k.replaceAll("_", " ")} ${n}`).join(", ");
      deps.io.out(
        `schedule: ${s.id} (${s.enabled ? "enabled" : "disabled"}, runs on ${s.runs_on})\n` +
          `fires now: ${s.held === null ? "yes" : `no (${s.held})`}\ncoverage: ${counts}\n` +
          `next: ${s.next_fires.slice(0, 3).map((f) => f.fire_at).join(", ") || "-"}\n\n` +
          renderTable(["FIRED AT", "OCCURRENCE", "PC", "EXEC", "DEADLINE"], s.recent_fires.map((f) => [f.fired_at, f.occurrence, f.pc_id ?? "(target)", f.exec_id ?? "queued", f.deadline_at ?? "-"])),
      );
    });
}
