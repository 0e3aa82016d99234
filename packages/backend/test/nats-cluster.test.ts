/**
 * The scaled-out broker with real processes: a three-node nats-server cluster on loopback, a backend process
 * with KANADE_NATS_REPLICAS=3 and every node's URL, and a simulator process (`kanade-agent simulate`) given
 * every URL too. The node most agents are connected to is SIGKILLed right after an exec to all of them was
 * published; every PC's result must then be projected exactly once, the agents must be on the other nodes,
 * and the node, started again, must catch up on the streams. Then a backend (re)starts with one node down.
 */
import type { ChildProcess } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ListResponse } from "@kanade/protocol";
import { STREAMS } from "@kanade/protocol";
import { freePort, startNatsCluster, tempDir, testCommandKeys, waitFor, type NatsCluster, type TempDir } from "@kanade/testkit";
import { exited, spawnNode, startBackendProcess, type BackendProcess } from "./backend-process.js";
import { TOKEN } from "./helpers.js";

const N = 300;
/** A simulated agent's own connection (the simulator's shared `sim-fleet-views` one is not an agent). */
const AGENT_CONN = /^sim-\d+$/;

describe("a three-node NATS cluster with R3 streams", () => {
  let cluster: NatsCluster;
  let dir: TempDir;
  let base: string;
  let port: number;
  let backend: BackendProcess | undefined;
  let sim: ChildProcess | undefined;
  const dbPath = (): string => dir.join("kanade.db");

  const startBackend = async (): Promise<void> => {
    backend = await startBackendProcess(port, {
      KANADE_NATS_URL: cluster.url,
      KANADE_NATS_REPLICAS: "3",
      DATABASE_URL: `sqlite://${dbPath()}`,
    });
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": typeof body === "string" ? "application/yaml" : "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const done = async (execId: string): Promise<number> => (await api<{ counts: { done: number } }>("GET", `/api/executions/${execId}?rows=false`)).counts.done;
  /** Result rows per PC of one execution, straight from the backend's SQLite file. */
  const resultRows = (execId: string): { pcs: number; rows: number; doubled: number } => {
    const db = new DatabaseSync(dbPath(), { readOnly: true });
    try {
      const r = db
        .prepare("SELECT COUNT(*) AS pcs, COALESCE(SUM(n), 0) AS rows, COALESCE(SUM(n > 1), 0) AS doubled FROM (SELECT pc_id, COUNT(*) AS n FROM results WHERE exec_id = ? GROUP BY pc_id)")
        .get(execId) as { pcs: number; rows: number; doubled: number };
      return { pcs: Number(r.pcs), rows: Number(r.rows), doubled: Number(r.doubled) };
    } finally {
      db.close();
    }
  };
  const agentsPerNode = async (): Promise<Map<string, number>> => {
    const m = new Map<string, number>();
    for (const n of cluster.nodes.filter((x) => x.running())) m.set(n.name, await cluster.connections(n.name, AGENT_CONN));
    return m;
  };

  beforeAll(async () => {
    cluster = await startNatsCluster();
    dir = tempDir("kanade-nats-cluster-");
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await startBackend();
    sim = spawnNode("packages/agent/bin/kanade-agent.js", ["simulate", "--count", String(N)], {
      KANADE_NATS_URL: cluster.url,
      KANADE_AGENT_DATA_DIR: dir.join("sim"),
      KANADE_LOG: "silent",
      ...testCommandKeys().agentEnv,
    });
    await waitFor(
      async () => (await api<ListResponse<{ online: boolean }>>("GET", "/api/agents?limit=1000")).items.filter((a) => a.online).length === N,
      { timeoutMs: 120_000, intervalMs: 500, what: `${N} simulated agents online` },
    );
    await api("POST", "/api/jobs", "id: cluster-echo\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 60s\n");
  }, 240_000);

  afterAll(async () => {
    if (sim) {
      sim.kill("SIGKILL");
      await exited(sim);
    }
    await backend?.kill("SIGKILL");
    await cluster?.dispose();
    dir?.remove();
  });

  it("keeps every stream on all three nodes and spreads the agents over them", async () => {
    for (const n of cluster.nodes) {
      const streams = await cluster.streams(n.name);
      for (const s of Object.values(STREAMS)) expect(streams.find((x) => x.name === s)?.replicas, `${s} on ${n.name}`).toBe(3);
    }
    const spread = await agentsPerNode();
    expect([...spread.values()].reduce((a, b) => a + b, 0)).toBe(N);
  });

  it("projects every result exactly once when the busiest node dies mid-fan-out; the agents move, the node catches up", async () => {
    const before = await agentsPerNode();
    const [victim, onVictim] = [...before].sort((a, b) => b[1] - a[1])[0]!;
    expect(onVictim).toBeGreaterThan(0);

    const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/cluster-echo", { all: true });
    await cluster.node(victim).server.kill();
    const doneAtKill = await done(exec_id);
    // The node died while the fan-out was under way, not after it.
    expect(doneAtKill).toBeLessThan(N);

    await waitFor(async () => (await done(exec_id)) === N, { timeoutMs: 120_000, intervalMs: 250, what: `all ${N} results of ${exec_id}` });
    expect(resultRows(exec_id)).toEqual({ pcs: N, rows: N, doubled: 0 });

    // Every agent that was on the dead node is on one of the other two now.
    await waitFor(async () => [...(await agentsPerNode()).values()].reduce((a, b) => a + b, 0) === N, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `all ${N} agents connected to the two live nodes`,
    });
    expect((await agentsPerNode()).has(victim)).toBe(false);

    // Back again: its copies of the streams reach what the live nodes hold.
    await cluster.node(victim).server.start();
    const live = cluster.nodes.find((n) => n.name !== victim)!;
    // A stream may keep growing: the node has caught up once it holds at least what a live node held just
    // before it was asked.
    let seen = "";
    await waitFor(
      async () => {
        const want = await cluster.streams(live.name);
        const have = await cluster.streams(victim);
        seen = "";
        return [STREAMS.RESULTS, STREAMS.EXEC, STREAMS.EVENTS].every((s) => {
          const w = want.find((x) => x.name === s);
          const h = have.find((x) => x.name === s);
          seen += ` ${s} ${h?.last_seq ?? "-"}/${w?.last_seq ?? "-"}`;
          return w !== undefined && h !== undefined && h.last_seq >= w.last_seq;
        });
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `${victim} to catch up on RESULTS, EXEC and EVENTS` },
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; ${victim}/live last seqs:${seen}`);
    });
    const results = async (n: string): Promise<number | undefined> => (await cluster.streams(n)).find((x) => x.name === STREAMS.RESULTS)?.last_seq;
    expect(await results(victim)).toBe(await results(live.name));
    expect(await results(victim)).toBeGreaterThanOrEqual(N);
    expect(resultRows(exec_id)).toEqual({ pcs: N, rows: N, doubled: 0 });
  }, 240_000);

  it("starts a backend with one of the three nodes down, and fans out through the other two", async () => {
    await cluster.waitForMetaLeader();
    const down = cluster.nodes[0]!;
    await backend!.kill("SIGTERM");
    await down.server.kill();
    // The node is down (not going down): the streams it led have new leaders.
    await cluster.waitForStreamLeaders();
    await startBackend();

    const { exec_id } = await api<{ exec_id: string }>("POST", "/api/exec/cluster-echo", { all: true });
    await waitFor(async () => (await done(exec_id)) === N, { timeoutMs: 120_000, intervalMs: 250, what: `all ${N} results of ${exec_id} with ${down.name} down` });
    expect(resultRows(exec_id)).toEqual({ pcs: N, rows: N, doubled: 0 });
    await down.server.start();
  }, 240_000);
});
