/** `kanade agents`: the fleet as a table, filtered by state, group or text, ending with a count. */
import type { Command } from "commander";
import { agentMatches, agentOsLabel, GROUP_RE, type AgentSummary } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { formatAgo, formatPct } from "../../format.js";

interface AgentsOpts {
  online?: boolean;
  offline?: boolean;
  group?: string;
  search?: string;
  tag?: string;
  iso?: boolean;
}

const memPct = (a: AgentSummary): number | null =>
  a.mem_used_bytes !== null && a.mem_used_bytes !== undefined && a.mem_total_bytes ? (a.mem_used_bytes / a.mem_total_bytes) * 100 : null;

/** `303 agents: 291 online, 12 offline`. */
export function agentCount(agents: readonly AgentSummary[]): string {
  const online = agents.filter((a) => a.online).length;
  return `${agents.length} agent${agents.length === 1 ? "" : "s"}: ${online} online, ${agents.length - online} offline\n`;
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("agents"))
    .description("list agents (host CPU and memory from the newest perf sample, shown for online PCs only)")
    .option("--online", "only agents with a recent heartbeat")
    .option("--offline", "only agents without one")
    .option("--group <g>", "only members of this group")
    .option("--tag <k=v>", "only agents with this tag (key=value, or key for any value)")
    .option("-q, --search <text>", "only agents where every word is found in the id, host, OS, version, groups, user or IP")
    .option("--iso", "print LAST SEEN as an RFC 3339 time instead of how long ago")
    .action(async (opts: AgentsOpts, cmd: Command) => {
      if (opts.online && opts.offline) throw badInput("give --online or --offline, not both");
      if (opts.group !== undefined && !GROUP_RE.test(opts.group)) throw badInput(`--group: expected a group name (got "${opts.group}")`);
      const online = opts.online ? true : opts.offline ? false : undefined;
      const { items } = await deps.client.call("listAgents", {
        query: { ...(online !== undefined ? { online } : {}), ...(opts.group ? { group: opts.group } : {}), ...(opts.search?.trim() ? { q: opts.search.trim() } : {}), ...(opts.tag ? { tag: opts.tag } : {}) },
      });
      // Filter here too, so the flags mean the same thing whether or not the backend filtered.
      const agents = items.filter(
        (a) => (online === undefined || a.online === online) && (!opts.group || a.groups.includes(opts.group)) && agentMatches(a, opts.search ?? ""),
      );
      if (wantsJson(cmd)) return printJson(deps.io, agents);
      const now = deps.now();
      deps.io.out(
        renderTable(
          ["PC", "ONLINE", "HOSTNAME", "OS", "VERSION", "USER", "IP", "CPU", "MEM", "GROUPS", "TAGS", "LAST SEEN"],
          agents.map((a) => [
            a.pc_id,
            a.online ? "yes" : "no",
            a.hostname,
            agentOsLabel(a),
            a.agent_version,
            a.logged_in_user,
            (a.ip_addresses ?? []).join(","),
            // An offline PC's last sample is history, not its load now.
            a.online ? formatPct(a.cpu_pct) : null,
            a.online ? formatPct(memPct(a)) : null,
            a.groups.join(","),
            Object.entries(a.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(","),
            opts.iso ? a.last_seen : formatAgo(a.last_seen, now),
          ]),
        ) + agentCount(agents),
      );
    });
}
