/** `kanade jetstream status`: every stream, KV bucket and object store with usage vs limit. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { governanceApi } from "../../governance-client.js";
import { printJson, renderTable } from "../../output.js";
import { jetstreamNoun } from "./noun.js";

const bytes = (n: number): string => {
  if (n < 0) return "unlimited";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
};

export function register(program: Command, deps: Deps): void {
  withJson(jetstreamNoun(program).command("status"))
    .description("each stream, KV bucket and object store with messages, bytes and limits")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await governanceApi(deps.client).jetstreamStatus();
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["KIND", "NAME", "MESSAGES", "BYTES", "LIMIT", "USED", "MAX AGE", "CONSUMERS"],
          items.map((u) => [
            u.kind,
            u.name,
            u.messages,
            bytes(u.bytes),
            bytes(u.max_bytes),
            u.bytes_used_pct === null ? "-" : `${u.bytes_used_pct.toFixed(2)}%`,
            u.max_age_secs > 0 ? `${Math.round(u.max_age_secs / 86_400)}d` : "-",
            u.consumers,
          ]),
        ),
      );
    });
}
