/** `kanade logs <pc> [--tail N]`: the agent's recent log lines, fetched through NATS request/reply. */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { LOGS_TAIL_MAX, PC_ID_RE } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";
import { formatLogLine } from "./format.js";

const tailCount = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > LOGS_TAIL_MAX) throw new InvalidArgumentError(`expected 1..${LOGS_TAIL_MAX}`);
  return n;
};

export function register(program: Command, deps: Deps): void {
  withJson(program.command("logs"))
    .description("print an agent's recent log lines (through NATS; the agent must be online)")
    .argument("<pc>", "pc_id")
    .option("--tail <n>", "how many lines", tailCount, 200)
    .option("--raw", "print the JSON records as the agent wrote them")
    .action(async (pc: string, opts: { tail: number; raw?: boolean }, cmd: Command) => {
      if (!PC_ID_RE.test(pc)) throw badInput(`expected a pc_id (got "${pc}")`);
      const reply = await deps.client.call("getAgentLogs", { params: { pc }, query: { tail: opts.tail } });
      if (wantsJson(cmd)) return printJson(deps.io, reply);
      if (reply.truncated) deps.io.err(`note: older lines were dropped to fit the reply\n`);
      const text = reply.lines.map((l) => (opts.raw ? l : formatLogLine(l))).join("\n");
      deps.io.out(text ? `${text}\n` : "");
    });
}
