import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";
import { formatBytes } from "../../format.js";

export function register(program: Command, deps: Deps): void {
  withJson(program.command("agents"))
    .description("list agents")
    .option("--online", "only agents with a recent heartbeat")
    .action(async (opts: { online?: boolean }, cmd: Command) => {
      const { items } = await deps.client.call("listAgents", { query: opts.online ? { online: true } : {} });
      // Filter here too, so the flag means the same thing whether or not the backend filtered.
      const agents = opts.online ? items.filter((a) => a.online) : items;
      if (wantsJson(cmd)) return printJson(deps.io, agents);
      deps.io.out(
        renderTable(
          ["PC", "ONLINE", "HOSTNAME", "OS", "VERSION", "CPU", "RSS", "GROUPS", "LAST SEEN"],
          agents.map((a) => [
            a.pc_id,
            a.online ? "yes" : "no",
            a.hostname,
            [a.os_family, a.os_version].filter(Boolean).join(" "),
            a.agent_version,
            a.agent_cpu_pct === null || a.agent_cpu_pct === undefined ? null : `${a.agent_cpu_pct}%`,
            formatBytes(a.agent_rss_bytes),
            (a.groups ?? []).join(","),
            a.last_seen,
          ]),
        ),
      );
    });
}
