/**
 * KLP overhead on a real agent process: connect + `system.handshake`, and one `system.ping` round trip, over
 * this uid's socket. Prints JSON (milliseconds); asserts nothing. `npm run bench:klp`.
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { KlpClient } from "@kanade/protocol/klp-client";
import { startNatsServer, tempDir, waitFor } from "@kanade/testkit";
import { spawnBin, stopChild } from "./lib.js";

const CONNECTS = Number(process.env.BENCH_KLP_CONNECTS ?? 500);
const PINGS = Number(process.env.BENCH_KLP_PINGS ?? 2_000);
/** Stays under the 60-requests-a-minute limit of one connection (the handshake counts). */
const PINGS_PER_CONNECTION = 59;

const stats = (xs: number[]): { n: number; median: number; p95: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3));
  return { n: s.length, median: at(0.5), p95: at(0.95), max: at(1) };
};

const nats = await startNatsServer();
const dir = tempDir("kanade-bench-klp-");
const socket = dir.join("klp", `${process.getuid?.() ?? 0}.sock`);
const agent = spawnBin("agent", "kanade-agent", [], {
  KANADE_AGENT_ID: "bench-klp",
  KANADE_NATS_URL: nats.url,
  KANADE_AGENT_DATA_DIR: dir.join("data"),
  KANADE_KLP: "on",
  KANADE_KLP_DIR: dir.join("klp"),
  KANADE_KLP_USERS_DIR: dir.join("users"),
  KANADE_LOG: "warn",
});
try {
  await waitFor(() => existsSync(socket), { what: "the agent's KLP socket", timeoutMs: 30_000 });
  const connects: number[] = [];
  for (let i = 0; i < CONNECTS; i++) {
    const t = performance.now();
    const c = await KlpClient.connect(socket, { clientVersion: "bench" });
    connects.push(performance.now() - t);
    c.close();
  }
  const pings: number[] = [];
  while (pings.length < PINGS) {
    const c = await KlpClient.connect(socket, { clientVersion: "bench" });
    for (let i = 0; i < PINGS_PER_CONNECTION && pings.length < PINGS; i++) {
      const t = performance.now();
      await c.call("system.ping");
      pings.push(performance.now() - t);
    }
    c.close();
  }
  console.log(JSON.stringify({ klp: { connect_handshake_ms: stats(connects), ping_round_trip_ms: stats(pings) } }, null, 2));
} finally {
  await stopChild(agent);
  await nats.dispose();
  dir.remove();
}
