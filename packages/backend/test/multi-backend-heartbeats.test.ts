/**
 * Heartbeats with several backends (issue 16): the backends' heartbeat subscriptions are one queue group, so a
 * heartbeat is projected by one backend, not by each. Two `kanade-backend` processes on one database and one
 * nats-server; the test publishes one heartbeat for each of 60 PCs and reads every backend's
 * `kanade_heartbeats_received_total`: together 60 (each took some), and both list all 60 agents, online.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { subjects, type AgentSummary, type ListResponse } from "@kanade/protocol";
import { freePort, sampleHeartbeat, sleep, startNatsServer, tempDatabase, waitFor, type NatsServer, type TempDatabase } from "@kanade/testkit";
import { startBackendProcess, type BackendProcess } from "./backend-process.js";
import { TOKEN } from "./helpers.js";

const N = 60;

describe("heartbeats with two backends", () => {
  let nats: NatsServer;
  let database: TempDatabase;
  let nc: NatsConnection;
  const backends: BackendProcess[] = [];

  const get = async (b: BackendProcess, path: string): Promise<string> => {
    const res = await fetch(`${b.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}`);
    return res.text();
  };
  const received = async (b: BackendProcess): Promise<number> => {
    const m = /^kanade_heartbeats_received_total (\d+)$/m.exec(await get(b, "/metrics"));
    if (!m) throw new Error("no kanade_heartbeats_received_total in /metrics");
    return Number(m[1]);
  };
  const listed = async (b: BackendProcess): Promise<AgentSummary[]> =>
    (JSON.parse(await get(b, "/api/agents")) as ListResponse<AgentSummary>).items.filter((a) => a.pc_id.startsWith("hbq-"));

  beforeAll(async () => {
    nats = await startNatsServer();
    database = tempDatabase();
    const env = {
      KANADE_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      ...(database.stateDir ? { KANADE_STATE_DIR: database.stateDir } : {}),
      KANADE_AUTH_JWT_SECRET: randomBytes(24).toString("base64url"),
    };
    // One after the other: the second opens a database the first has migrated.
    backends.push(await startBackendProcess(await freePort(), env));
    backends.push(await startBackendProcess(await freePort(), env));
    nc = await connect({ servers: nats.url, name: "multi-backend-heartbeats-test" });
  }, 120_000);

  afterAll(async () => {
    await nc?.close();
    for (const b of backends) await b.kill("SIGKILL");
    await nats?.dispose();
    database?.remove();
  });

  it("projects each heartbeat on one backend only, and both backends list every agent", async () => {
    expect(await Promise.all(backends.map(received))).toEqual([0, 0]);
    for (let i = 0; i < N; i++) {
      const pc = `hbq-${String(i).padStart(2, "0")}`;
      nc.publish(subjects.heartbeat(pc), JSON.stringify(sampleHeartbeat(pc)));
    }
    await nc.flush();
    for (const b of backends) {
      await waitFor(async () => (await listed(b)).filter((a) => a.online).length === N, { what: `${N} agents online on ${b.url}`, timeoutMs: 30_000 });
    }
    await waitFor(async () => (await Promise.all(backends.map(received))).reduce((a, b) => a + b, 0) >= N, { what: `${N} heartbeats counted` });
    // Long enough for a second copy of each heartbeat to have been taken, were every backend subscribed on its own.
    await sleep(1_000);
    const counts = await Promise.all(backends.map(received));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
    // The queue group spreads them: each backend took some (all 60 on one would happen with odds of 2^-59).
    for (const c of counts) expect(c).toBeGreaterThan(0);
  });
});
