/** `kanade audit`: who did what, newest first. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { timeArg } from "../../time-arg.js";

interface AuditOpts {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  limit?: string;
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("audit"))
    .description("show the audit trail: every change, login and approval, newest first")
    .option("--actor <name>", "only this actor (username, static-token)")
    .option("--action <action>", "only this action; a trailing * matches a prefix, e.g. exec.*")
    .option("--target <target>", "only this target (job id, exec_id, pc_id, username)")
    .option("--since <time>", "RFC 3339 time, or a duration ago like 2h")
    .option("--until <time>", "RFC 3339 time, or a duration ago")
    .option("--limit <n>", "at most this many rows (default 50, max 500)")
    .action(async (opts: AuditOpts, cmd: Command) => {
      const now = deps.now();
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) throw badInput("invalid --limit", [{ path: "--limit", message: "expected 1..500" }]);
      const query = {
        ...(opts.actor ? { actor: opts.actor } : {}),
        ...(opts.action ? { action: opts.action } : {}),
        ...(opts.target ? { target: opts.target } : {}),
        ...(opts.since ? { since: timeArg(opts.since, "--since", now) } : {}),
        ...(opts.until ? { until: timeArg(opts.until, "--until", now) } : {}),
        ...(limit ? { limit } : {}),
      };
      const { items } = await deps.client.call("listAudit", { query });
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["TIME", "ACTOR", "ACTION", "TARGET", "SOURCE", "DETAILS"],
          items.map((e) => [e.at, e.actor, e.action, e.target, e.source_ip, Object.keys(e.payload_summary).length ? JSON.stringify(e.payload_summary) : ""]),
        ),
      );
    });
}
