/** `kanade notify list`: notifications, newest first. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { targetText } from "./target-text.js";

export function register(notify: Command, deps: Deps): void {
  withJson(notify.command("list"))
    .description("notifications, newest first, with their state and how many acknowledged")
    .option("--limit <n>", "at most this many rows (default 50, max 500)")
    .action(async (opts: { limit?: string }, cmd: Command) => {
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) throw badInput("invalid --limit", [{ path: "--limit", message: "expected 1..500" }]);
      const { items } = await deps.client.call("listNotifications", { query: limit ? { limit } : {} });
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["ID", "PRIORITY", "STATE", "ACK", "EXPIRES", "TARGET", "TITLE"],
          items.map((n) => [n.id, n.priority, n.state, n.require_ack ? String(n.acknowledged) : "-", n.expires_at, targetText(n.target), n.title]),
        ),
      );
    });
}
