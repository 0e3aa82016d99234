/** `kanade notify ack-status <id>`: per PC and user, acknowledged / shown / pending / expired. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { escapeTerminal, printJson, renderTable } from "../../output.js";

export function register(notify: Command, deps: Deps): void {
  withJson(notify.command("ack-status"))
    .description("per PC and user: acknowledged, shown, pending or expired")
    .argument("<id>", "notification id")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const s = await deps.client.call("getNotificationAckStatus", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, s);
      const c = s.counts;
      deps.io.out(`${s.id}: ${s.state}; acknowledged ${c.acknowledged}, shown ${c.shown}, pending ${c.pending}, expired ${c.expired}`);
      // The user names come from PCs: escaped, so they cannot drive the operator's terminal.
      deps.io.out(renderTable(["PC", "USER", "STATE", "SHOWN", "ACKED"], s.rows.map((r) => [r.pc_id, r.user ? escapeTerminal(r.user, { singleLine: true }) : "-", r.state, r.shown_at ?? "-", r.acked_at ?? "-"])));
    });
}
