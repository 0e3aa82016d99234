/**
 * `kanade command-keys list | add | retire <kid>`: the keys the backend signs commands with. Rotation in two
 * steps: `add` a key (agents learn to trust it from a signed key set), then `retire` the active one (the new
 * key starts signing; agents drop the old one). No agent needs to be enrolled again.
 */
import type { Command } from "commander";
import type { CommandKeyInfo } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

const row = (k: CommandKeyInfo): (string | null)[] => [k.kid, k.status, k.created_at, k.retired_at ?? null, k.public_key];
const HEADERS = ["KID", "STATUS", "CREATED", "RETIRED", "PUBLIC KEY"];

export function register(program: Command, deps: Deps): void {
  const noun = program.command("command-keys").description("the keys commands are signed with: list, add, retire (admin)");
  withJson(noun.command("list"))
    .description("every command-signing key and its state (active signs, next waits, retired no longer counts)")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listCommandKeys");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(renderTable(HEADERS, items.map(row)));
    });
  withJson(noun.command("add"))
    .description("add a signing key; it signs once the active key is retired")
    .action(async (_opts: unknown, cmd: Command) => {
      const k = await deps.client.call("addCommandKey");
      if (wantsJson(cmd)) return printJson(deps.io, k);
      deps.io.out(`added ${k.kid} (${k.status}); agents trust it once they read the new key set — then run: kanade command-keys retire <active kid>\n`);
    });
  withJson(noun.command("retire"))
    .description("retire a key; if it was the active one, the next key starts signing")
    .argument("<kid>", "the key id (kanade command-keys list)")
    .action(async (kid: string, _opts: unknown, cmd: Command) => {
      const k = await deps.client.call("retireCommandKey", { params: { kid } });
      if (wantsJson(cmd)) return printJson(deps.io, k);
      deps.io.out(`retired ${k.kid}\n`);
    });
}
