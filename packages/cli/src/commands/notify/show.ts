/** `kanade notify show <id>`: one notification with its body. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";
import { targetText } from "./target-text.js";

export function register(notify: Command, deps: Deps): void {
  withJson(notify.command("show"))
    .description("one notification with its body")
    .argument("<id>", "notification id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const n = await deps.client.call("getNotification", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, n);
      deps.io.out(
        `notification: ${n.id} (${n.priority}${n.require_ack ? ", acknowledgement required" : ""})\nstate: ${n.state}${n.withdrawn_at ? ` at ${n.withdrawn_at} by ${n.withdrawn_by ?? "?"}` : ""}\n` +
          `title: ${n.title}\nexpires: ${n.expires_at}\ntarget: ${targetText(n.target)}\ncreated: ${n.created_at} by ${n.created_by}\nacknowledged: ${n.acknowledged}\n\n${n.body}\n`,
      );
    });
}
