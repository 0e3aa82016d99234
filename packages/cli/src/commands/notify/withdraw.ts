/** `kanade notify withdraw <id>`: take a notification back. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

export function register(notify: Command, deps: Deps): void {
  withJson(notify.command("withdraw"))
    .description("take a notification back: PCs stop showing it")
    .argument("<id>", "notification id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("withdrawNotification", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(r.already ? `${r.id} was already withdrawn at ${r.withdrawn_at}\n` : `withdrew ${r.id}\n`);
    });
}
