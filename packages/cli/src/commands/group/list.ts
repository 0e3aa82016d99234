import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

export function register(group: Command, deps: Deps): void {
  withJson(group.command("list"))
    .description("list groups and their member PCs")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listGroups");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(renderTable(["GROUP", "PCS", "QUERY", "MEMBERS"], items.map((g) => [g.name, g.count ?? g.pcs.length, g.query ?? "", g.pcs.join(",")])));
    });
}
