/** `kanade support [<id>]`: support bundles people sent from their PCs (KLP), newest first, or one in full. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { escapeTerminal, printJson, renderTable } from "../../output.js";

interface SupportOpts {
  pc?: string;
  limit?: string;
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("support [id]"))
    .description("list support bundles sent from PCs (newest first), or show one with its log tail")
    .option("--pc <pc_id>", "only bundles from this PC")
    .option("--limit <n>", "at most this many rows (default 50, max 500)")
    .action(async (id: string | undefined, opts: SupportOpts, cmd: Command) => {
      if (id !== undefined) {
        const b = await deps.client.call("getSupportBundle", { params: { id } });
        if (wantsJson(cmd)) return printJson(deps.io, b);
        // The note and the log come from a PC: escaped, so they cannot drive the operator's terminal.
        const one = (t: string): string => escapeTerminal(t, { singleLine: true });
        deps.io.out(`bundle ${b.id} from ${b.pc_id}, ${one(b.user)}, at ${b.created_at} (${b.bytes} bytes)`);
        if (b.note) deps.io.out(`note: ${escapeTerminal(b.note)}`);
        deps.io.out(`state: ${one(JSON.stringify(b.bundle.state))}`);
        deps.io.out(`recent runs: ${b.bundle.runs.length}`);
        deps.io.out(`log tail (${b.bundle.log_tail.length} lines):`);
        for (const line of b.bundle.log_tail) deps.io.out(one(line));
        return;
      }
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) throw badInput("invalid --limit", [{ path: "--limit", message: "expected 1..500" }]);
      const { items } = await deps.client.call("listSupportBundles", { query: { ...(opts.pc ? { pc_id: opts.pc } : {}), ...(limit ? { limit } : {}) } });
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(renderTable(["ID", "TIME", "PC", "USER", "BYTES", "NOTE"], items.map((b) => [b.id, b.created_at, b.pc_id, b.user, String(b.bytes), b.note ?? ""])));
    });
}
