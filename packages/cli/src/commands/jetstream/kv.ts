/**
 * `kanade jetstream kv get|put|del <bucket> <key>`: raw access to kanade's KV buckets. Reads need a
 * viewer, writes an admin; the backend checks values of buckets it can parse (agent_groups, agent_config,
 * script_status, jobs).
 */
import type { Command } from "commander";
import { BUCKETS } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";
import { readStdinText } from "../../secret-input.js";
import { jetstreamNoun } from "./noun.js";

const BUCKET_NAMES: readonly string[] = Object.values(BUCKETS);

function checkBucket(bucket: string): void {
  if (!BUCKET_NAMES.includes(bucket)) throw badInput(`unknown KV bucket "${bucket}"; kanade's buckets are ${BUCKET_NAMES.join(", ")}`);
}

export function register(program: Command, deps: Deps): void {
  const kv = jetstreamNoun(program).command("kv").description(`read and write kanade's KV buckets (${BUCKET_NAMES.join(", ")})`);

  withJson(kv.command("get"))
    .description("print the value of <key> as stored (--json: with revision and time)")
    .argument("<bucket>")
    .argument("<key>")
    .action(async (bucket: string, key: string, _opts: unknown, cmd: Command) => {
      checkBucket(bucket);
      const entry = await deps.client.call("getKvEntry", { params: { bucket, key } });
      if (wantsJson(cmd)) return printJson(deps.io, entry);
      // Raw so it pipes byte for byte; a terminal still gets its prompt on a new line.
      deps.io.out(deps.io.stdoutIsTTY && !entry.value.endsWith("\n") ? `${entry.value}\n` : entry.value);
    });

  withJson(kv.command("put"))
    .description("store <value> under <key> (\"-\" reads it from stdin); admin only")
    .argument("<bucket>")
    .argument("<key>")
    .argument("<value>", 'the value, or "-" for stdin')
    .action(async (bucket: string, key: string, value: string, _opts: unknown, cmd: Command) => {
      checkBucket(bucket);
      const res = await deps.client.call("putKvEntry", { params: { bucket, key }, body: { value: value === "-" ? await readStdinText() : value } });
      if (wantsJson(cmd)) return printJson(deps.io, res);
      deps.io.out(`put ${res.bucket}/${res.key} (revision ${res.revision})\n`);
    });

  withJson(kv.command("del"))
    .description("delete <key>; admin only")
    .argument("<bucket>")
    .argument("<key>")
    .action(async (bucket: string, key: string, _opts: unknown, cmd: Command) => {
      checkBucket(bucket);
      const res = await deps.client.call("deleteKvEntry", { params: { bucket, key } });
      if (wantsJson(cmd)) return printJson(deps.io, res);
      deps.io.out(`deleted ${res.bucket}/${res.key}\n`);
    });
}
