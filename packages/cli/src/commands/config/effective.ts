/** `config effective <pc>`: what a PC runs with, where each value comes from, and group conflicts. */
import type { Command } from "commander";
import { PC_ID_RE } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";

export function register(config: Command, deps: Deps): void {
  withJson(config.command("effective"))
    .description("show a PC's effective config: FIELD, VALUE, SOURCE, and conflicts between its groups")
    .argument("<pc>", "pc_id")
    .action(async (pc: string, _opts: unknown, cmd: Command) => {
      if (!PC_ID_RE.test(pc)) throw badInput(`<pc>: expected a pc_id (got "${pc}")`);
      const eff = await deps.client.call("getEffectiveConfig", { params: { pc } });
      if (wantsJson(cmd)) return printJson(deps.io, eff);
      const rows = Object.entries(eff.effective).map(([k, v]) => [k, String(v), eff.sources[k as keyof typeof eff.sources] ?? "default"]);
      deps.io.out(`${eff.pc_id} (groups: ${eff.groups.join(", ") || "none"})\n` + renderTable(["FIELD", "VALUE", "SOURCE"], rows));
      for (const c of eff.conflicts) {
        deps.io.err(`warning: ${c.field} is set by groups ${c.groups.join(", ")}; ${c.winner} wins (alphabetical order, last wins)\n`);
      }
    });
}
