import type { Command } from "commander";
import { parseDurationMs } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";
import { describeFreeze } from "./status.js";

/** An RFC 3339 time, or a duration from now (`4h`). */
function instant(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms !== undefined) return new Date(Date.now() + ms).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) return text;
  throw badInput(`invalid ${flag}`, [{ path: flag, message: "expected an RFC 3339 time like 2026-12-24T00:00:00Z or a duration from now like 4h" }]);
}

export function register(freeze: Command, deps: Deps): void {
  withJson(freeze.command("set"))
    .description("freeze the fleet: no schedule fires, and kanade exec needs --during-freeze")
    .option("--from <time>", "start (RFC 3339 or a duration from now); default now")
    .option("--until <time>", "end (RFC 3339 or a duration from now); default until cleared")
    .option("--reason <text>", "why (shown in the web UI banner and the audit trail)")
    .action(async (opts: { from?: string; until?: string; reason?: string }, cmd: Command) => {
      const from = instant("--from", opts.from);
      const until = instant("--until", opts.until);
      const body = { ...(from ? { from } : {}), ...(until ? { until } : {}), ...(opts.reason !== undefined ? { reason: opts.reason } : {}) };
      const s = await deps.client.call("setFreeze", { body });
      if (wantsJson(cmd)) return printJson(deps.io, s);
      deps.io.out(describeFreeze(s));
    });
}
