/**
 * `kanade events [--pc] [--kind] [--since 1h|ISO] [--until] [--json] [--follow]`: the event timeline, newest
 * first; `--follow` then prints new events as they arrive (oldest first) until interrupted.
 */
import type { Command } from "commander";
import { EVENT_KINDS, type EventKind, type TimelineEvent } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { escapeTerminal, printJson, renderTable } from "../../output.js";
import { timeArg } from "../../time-arg.js";

const FOLLOW_POLL_MS = 2_000;

interface EventsOpts {
  pc?: string;
  kind?: string;
  since?: string;
  until?: string;
  limit?: string;
  follow?: boolean;
}

/** One line of detail: who, which run, what the script said. */
export function eventDetails(e: TimelineEvent): string {
  const parts = [
    e.user ? `user=${e.user}` : "",
    e.name ? e.name : "",
    e.message ?? "",
    e.job_id ? `job=${e.job_id}` : "",
    e.data ? JSON.stringify(e.data) : "",
  ];
  return parts.filter(Boolean).join("  ");
}

const row = (e: TimelineEvent): string[] => [e.at, e.pc_id, e.kind, e.source ?? "", eventDetails(e)];
const HEADERS = ["TIME", "PC", "KIND", "SOURCE", "DETAILS"];

export function register(program: Command, deps: Deps): void {
  withJson(program.command("events"))
    .description("show the event timeline (agent start/stop, online/offline, boots, logons, script events), newest first")
    .option("--pc <pc>", "only this PC")
    .option("--kind <kind>", `only this kind: ${EVENT_KINDS.join(", ")}`)
    .option("--since <time>", "RFC 3339 time, or a duration ago like 1h")
    .option("--until <time>", "RFC 3339 time, or a duration ago")
    .option("--limit <n>", "at most this many rows (default 50, max 500)")
    .option("--follow", "then keep printing new events as they arrive (Ctrl+C stops)")
    .action(async (opts: EventsOpts, cmd: Command) => {
      const now = deps.now();
      const limit = opts.limit === undefined ? undefined : Number(opts.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 500)) throw badInput("invalid --limit", [{ path: "--limit", message: "expected 1..500" }]);
      if (opts.kind !== undefined && !(EVENT_KINDS as readonly string[]).includes(opts.kind)) {
        throw badInput("invalid --kind", [{ path: "--kind", message: `expected one of ${EVENT_KINDS.join(", ")}` }]);
      }
      if (opts.follow && opts.until) throw badInput("--follow and --until do not go together", [{ path: "--until", message: "not with --follow" }]);
      const filter = {
        ...(opts.pc ? { pc: opts.pc } : {}),
        ...(opts.kind ? { kind: opts.kind as EventKind } : {}),
      };
      const query = {
        ...filter,
        ...(opts.since ? { since: timeArg(opts.since, "--since", now) } : {}),
        ...(opts.until ? { until: timeArg(opts.until, "--until", now) } : {}),
        ...(limit ? { limit } : {}),
      };
      const { items } = await deps.client.call("listEvents", { query });
      const json = wantsJson(cmd);
      if (!opts.follow) {
        if (json) return printJson(deps.io, items);
        return deps.io.out(renderTable(HEADERS, items.map(row)));
      }
      // Following: oldest first, one line (or one JSON object) per event, then poll for newer ones.
      const shown = new Set<string>();
      let newest = opts.since ? query.since! : new Date(now).toISOString();
      const print = (events: readonly TimelineEvent[]): void => {
        for (const e of events) {
          if (shown.has(e.event_id)) continue;
          shown.add(e.event_id);
          if (e.at > newest) newest = e.at;
          // A PC's text (a script's message, a user name) cannot drive the terminal.
          deps.io.out(json ? `${JSON.stringify(e)}\n` : `${row(e).map((c) => escapeTerminal(c || "-", { singleLine: true })).join("  ")}\n`);
        }
      };
      print([...items].reverse());
      for (;;) {
        await deps.sleep(FOLLOW_POLL_MS);
        // Events can arrive late (a PC's outbox after an outage): ask from a little before the newest seen.
        const since = new Date(Date.parse(newest) - 3_600_000).toISOString();
        const page = await deps.client.call("listEvents", { query: { ...filter, since, limit: 500 } });
        print([...page.items].reverse());
      }
    });
}
