/**
 * `kanade enroll-token create [--group g] [--uses N] [--expires 24h] | list`: tokens for mass deployment.
 * Deploy scripts give one to agents (`KANADE_ENROLL_TOKEN` / `-EnrollToken`); their join requests are
 * accepted at once and they join the group. The secret is shown once, at creation.
 */
import { InvalidArgumentError, type Command } from "commander";
import type { EnrollTokenView } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
};

const HEADERS = ["TOKEN ID", "GROUP", "USES LEFT", "EXPIRES", "CREATED BY"];
const row = (t: EnrollTokenView): (string | number | null)[] => [t.token_id, t.group, t.uses_left, t.expires_at, t.created_by];

export function register(program: Command, deps: Deps): void {
  const noun = program.command("enroll-token").description("enrollment tokens: agents that present one are accepted at once");
  withJson(noun.command("create"))
    .description("make a token for deploy scripts (KANADE_ENROLL_TOKEN / -EnrollToken); shown once")
    .option("--group <g>", "put every PC that enrolls with it in this group")
    .option("--uses <n>", "how many PCs may enroll with it (default 1)", positiveInt)
    .option("--expires <duration>", "how long it stays valid (default 24h)")
    .action(async (opts: { group?: string; uses?: number; expires?: string }, cmd: Command) => {
      const t = await deps.client.call("createEnrollToken", {
        body: { ...(opts.group ? { group: opts.group } : {}), ...(opts.uses ? { uses: opts.uses } : {}), ...(opts.expires ? { expires: opts.expires } : {}) },
      });
      if (wantsJson(cmd)) return printJson(deps.io, t);
      deps.io.out(`${t.token}\n`);
      deps.io.err(`token ${t.token_id}: ${t.uses_left} use(s), expires ${t.expires_at}${t.group ? `, group ${t.group}` : ""}. It is not shown again.\n`);
    });
  withJson(noun.command("list"))
    .description("tokens still usable (never the secret)")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listEnrollTokens");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(renderTable(HEADERS, items.map(row)));
    });
}
