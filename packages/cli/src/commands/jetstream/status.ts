/** `kanade jetstream status`: every stream, KV bucket and object store with usage vs limit. */
import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { formatBytes } from "../../format.js";
import { printJson, renderTable } from "../../output.js";
import { jetstreamNoun } from "./noun.js";

/** JetStream reports "no limit" as -1. */
const bytes = (n: number): string => (n < 0 ? "unlimited" : formatBytes(n));

export function register(program: Command, deps: Deps): void {
  withJson(jetstreamNoun(program).command("status"))
    .description("each stream, KV bucket and object store with messages, bytes and limits")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("getJetStreamStatus");
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
