import type { Command } from "commander";
import type { FreezeStatus } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson } from "../../output.js";

/** One paragraph an operator reads at a glance. */
export function describeFreeze(s: FreezeStatus): string {
  if (s.corrupt) return `FROZEN: ${s.reason}\n`;
  if (!s.freeze) return "not frozen\n";
  const f = s.freeze;
  const span = `from ${f.from} ${f.until ? `until ${f.until}` : "until cleared"}`;
  return `${s.frozen ? "FROZEN" : "not frozen now"} (${span}; set by ${f.set_by} at ${f.set_at})${f.reason ? `\nreason: ${f.reason}` : ""}\n`;
}

export function register(freeze: Command, deps: Deps): void {
  withJson(freeze.command("status"))
    .description("whether a fleet freeze holds now")
    .action(async (_opts: unknown, cmd: Command) => {
      const s = await deps.client.call("getFreeze");
      if (wantsJson(cmd)) return printJson(deps.io, s);
      deps.io.out(describeFreeze(s));
    });
}
