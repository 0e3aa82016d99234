/**
 * Sizing figures for docs/operator/sizing.md, measured rather than guessed: N simulated agents (default 2,000)
 * plus one real agent on a real nats-server and backend. Prints one JSON line with
 * - the broker's resident memory per agent connection (its RSS before the fleet and with it online),
 * - the backend's RSS with the fleet online,
 * - the stored size per message in each stream (stream bytes ÷ messages, JetStream's own overhead included):
 *   a result of a short script, a timeline event, a command, a real agent's inventory report,
 * - and from those, the disk each stream takes per day and holds at its retention for 1,000 / 10,000 / 50,000 PCs at
 *   the default intervals (inventory every 24 h, one fleet-wide exec per hour, BENCH_EVENTS_PER_PC_DAY events).
 *
 *   npm run bench:sizing
 *   BENCH_AGENTS=5000 npm run bench:sizing
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { STREAMS } from "@kanade/protocol";
import { REPO_ROOT, sleep, waitFor } from "@kanade/testkit";
import { backendCommandKeys, memKiB, stopChild, waitAgentsOnline, withBackend } from "./lib.js";

const N = Number(process.env.BENCH_AGENTS ?? 2_000);
const EXECS_PER_DAY = Number(process.env.BENCH_EXECS_PER_DAY ?? 24);
const EVENTS_PER_PC_DAY = Number(process.env.BENCH_EVENTS_PER_PC_DAY ?? 10);
const TOKEN = "bench-token-sizing-0123456789abcdef";
const FLEETS = [1_000, 10_000, 50_000];
const RETENTION_DAYS = { RESULTS: 30, EVENTS: 7 };
const RESULTS_CAP_BYTES = 2 * 1024 ** 3;

const mib = (b: number): number => Math.round((b / 1024 / 1024) * 10) / 10;
const gib = (b: number): number => Math.round((b / 1024 ** 3) * 100) / 100;

await withBackend("kanade-bench-sizing-", TOKEN, async ({ nats, dir, api, backend, dbPath, simulate }) => {
  const natsPid = nats.pid()!;
  await sleep(2_000);
  const brokerBefore = memKiB(natsPid, "VmRSS") * 1024;

  // One real agent, so the inventory report is a real machine's, not a simulator's.
  const real = spawn(process.execPath, [`${REPO_ROOT}packages/agent/bin/kanade-agent.js`], {
    env: { ...process.env, KANADE_AGENT_ID: "sizing-real", KANADE_NATS_URL: nats.url, KANADE_AGENT_DATA_DIR: dir.join("real"), KANADE_LOG: "warn", KANADE_COMMAND_KEYS: backendCommandKeys(dbPath) },
    stdio: "ignore",
  });
  try {
    simulate(N);
    await waitAgentsOnline(api, N + 1, { timeoutMs: 600_000, intervalMs: 1_000 });
    await sleep(5_000);
    const brokerWith = memKiB(natsPid, "VmRSS") * 1024;
    const backendRss = memKiB(backend.pid!, "VmRSS") * 1024;

    const nc = await connect({ servers: nats.url, name: "bench-sizing" });
    try {
      const jsm = await jetstreamManager(nc);
      const state = async (s: string): Promise<{ bytes: number; messages: number }> => {
        const i = await jsm.streams.info(s);
        return { bytes: i.state.bytes, messages: i.state.messages };
      };
      await waitFor(async () => (await state(STREAMS.INVENTORY)).messages >= 1 || undefined, { timeoutMs: 120_000, what: "the real agent's inventory" });
      const inventory = await state(STREAMS.INVENTORY);

      // One fleet-wide exec of a short script: a command per PC subject, a result per PC.
      await api("POST", "/api/jobs", "id: sizing-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo ok\n  timeout: 60s\n", "application/yaml");
      const before = { results: await state(STREAMS.RESULTS), exec: await state(STREAMS.EXEC), events: await state(STREAMS.EVENTS) };
      const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/sizing-echo", { all: true });
      await waitFor(async () => (await api<{ counts: { done: number } }>("GET", `/api/executions/${exec_id}?rows=false`)).counts.done === N + 1 || undefined, {
        timeoutMs: 300_000,
        intervalMs: 500,
        what: "every result",
      });
      const after = { results: await state(STREAMS.RESULTS), exec: await state(STREAMS.EXEC), events: await state(STREAMS.EVENTS) };
      const per = (a: { bytes: number; messages: number }, b: { bytes: number; messages: number }): number => Math.round((b.bytes - a.bytes) / Math.max(1, b.messages - a.messages));
      const resultBytes = per(before.results, after.results);
      const commandBytes = per(before.exec, after.exec);
      const eventBytes = after.events.messages > 0 ? Math.round(after.events.bytes / after.events.messages) : 0;
      // One real agent's reports, one per category: what the stream holds per PC (it keeps the newest per category).
      const inventoryBytesPerPc = inventory.bytes;

      const perDay = (pcs: number): Record<string, number> => ({
        RESULTS: pcs * EXECS_PER_DAY * resultBytes,
        EVENTS: pcs * EVENTS_PER_PC_DAY * eventBytes,
        INVENTORY: pcs * inventoryBytesPerPc,
      });
      const fleets = Object.fromEntries(
        FLEETS.map((pcs) => {
          const d = perDay(pcs);
          const held = {
            RESULTS: Math.min(d.RESULTS! * RETENTION_DAYS.RESULTS!, RESULTS_CAP_BYTES),
            EVENTS: d.EVENTS! * RETENTION_DAYS.EVENTS!,
            // The newest report per PC and category (max_msgs_per_subject 1), whatever the retention.
            INVENTORY: pcs * inventoryBytesPerPc,
          };
          return [
            pcs,
            {
              per_day_mib: Object.fromEntries(Object.entries(d).map(([s, b]) => [s, mib(b)])),
              held_at_retention_gib: Object.fromEntries(Object.entries(held).map(([s, b]) => [s, gib(b)])),
              exec_commands_mib: mib(pcs * commandBytes),
              broker_memory_for_connections_mib: mib((pcs * (brokerWith - brokerBefore)) / (N + 1)),
            },
          ];
        }),
      );
      console.log(
        JSON.stringify({
          bench: "sizing",
          agents: N + 1,
          broker_rss_before_mib: mib(brokerBefore),
          broker_rss_with_fleet_mib: mib(brokerWith),
          broker_kib_per_connection: Math.round((brokerWith - brokerBefore) / (N + 1) / 1024),
          backend_rss_mib: mib(backendRss),
          bytes_per_message: { result_short_script: resultBytes, command: commandBytes, event_mean: eventBytes, inventory_report_per_pc: inventoryBytesPerPc, inventory_categories: inventory.messages },
          assumptions: { execs_per_day: EXECS_PER_DAY, events_per_pc_day: EVENTS_PER_PC_DAY, retention_days: RETENTION_DAYS, results_cap_gib: 2 },
          sqlite_file_mib: mib(statSync(dbPath).size),
          fleets,
        }),
      );
    } finally {
      await nc.close();
    }
  } finally {
    await stopChild(real);
  }
});
