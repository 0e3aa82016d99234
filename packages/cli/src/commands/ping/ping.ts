/** `kanade ping <pc>`: round trip through NATS and a fresh heartbeat; no reply in 5 s → exit 1. */
import type { Command } from "commander";
import { PC_ID_RE, PING_TIMEOUT_MS } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { formatBytes } from "../../format.js";
import { printJson } from "../../output.js";

export function register(program: Command, deps: Deps): void {
  withJson(program.command("ping"))
    .description("ask an agent for a fresh heartbeat through NATS and print the round trip")
    .argument("<pc>", "pc_id")
    .action(async (pc: string, _opts: unknown, cmd: Command) => {
      if (!PC_ID_RE.test(pc)) throw badInput(`expected a pc_id (got "${pc}")`);
      if (deps.io.stderrIsTTY && !wantsJson(cmd)) deps.io.err(`pinging ${pc} (waits up to ${PING_TIMEOUT_MS / 1000} s)…\r`);
      const reply = await deps.client.call("pingAgent", { params: { pc } });
      if (deps.io.stderrIsTTY && !wantsJson(cmd)) deps.io.err("\x1b[2K");
      if (wantsJson(cmd)) return printJson(deps.io, reply);
      const hb = reply.heartbeat;
      deps.io.out(
        [
          `reply from ${reply.pc_id} in ${reply.rtt_ms.toFixed(1)} ms`,
          `  hostname: ${hb.hostname}`,
          `  os: ${hb.os_family} ${hb.os_version}`,
          `  agent: ${hb.agent_version} (rss ${formatBytes(hb.agent_rss_bytes)}, cpu ${hb.agent_cpu_pct}%)`,
          `  groups: ${hb.groups.length ? hb.groups.join(", ") : "(none)"}`,
          `  at: ${hb.at}`,
        ].join("\n") + "\n",
      );
    });
}
