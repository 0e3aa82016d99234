/**
 * The stack bench/scale.ts measures: one nats-server or a three-node cluster on loopback, a database
 * (a PostgreSQL database of its own, or a SQLite file), one or more backend processes on both, and
 * simulator processes that split the fleet between them. Torn down by `stop()`, whatever was started.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freePort, startNatsCluster, startNatsServer, tempDir, tempPostgres, waitFor, type NatsCluster, type NatsServer, type TempDatabase, type TempDir } from "@kanade/testkit";
import { apiClient, spawnBin, stopChild, type Api } from "./lib.js";

export interface StackShape {
  nodes: 1 | 3;
  replicas: 1 | 3;
  backends: number;
  db: "postgres" | "sqlite";
}

export interface BrokerNode {
  name: string;
  pid(): number | undefined;
  monitorUrl?: string;
}

export interface Backend {
  base: string;
  api: Api;
  child: ChildProcess;
}

export interface Stack {
  /** Every node's client URL, comma-separated (what backends and agents are given). */
  readonly urls: string;
  readonly nodes: readonly BrokerNode[];
  readonly dir: TempDir;
  /** The backends' DATABASE_URL. */
  readonly dbUrl: string;
  readonly backends: Backend[];
  startBackends(token: string): Promise<void>;
  /** Starts `processes` simulators sharing `n` agents; resolves once they are spawned (not connected). */
  simulate(counts: readonly number[]): ChildProcess[];
  /** A second database on the same engine for the floor (postgres URL or SQLite path). */
  floorDb(): string;
  stop(): Promise<void>;
}

/**
 * Thousands of PCs in one process: a young generation large from the start keeps their short-lived objects out of
 * the old one. With 64 MiB (grown to on demand) a fan-out's in-flight commands were promoted, and a simulator
 * spent up to 1.7 s of one exec marking its 400-MiB heap, its PCs' results held back meanwhile (--trace-gc).
 */
const SIMULATOR_NODE_ARGS = ["--min-semi-space-size=128", "--max-semi-space-size=128"];

export async function startStack(shape: StackShape): Promise<Stack> {
  const single: NatsServer | undefined = shape.nodes === 1 ? await startNatsServer() : undefined;
  const cluster: NatsCluster | undefined = shape.nodes === 3 ? await startNatsCluster() : undefined;
  const urls = single?.url ?? cluster!.urls.join(",");
  const nodes: BrokerNode[] = single ? [{ name: "n1", pid: () => single.pid() }] : cluster!.nodes.map((n) => ({ name: n.name, pid: () => n.server.pid(), monitorUrl: n.monitorUrl }));
  const dir = tempDir("kanade-bench-scale-");
  const pg: TempDatabase[] = [];
  const main = shape.db === "postgres" ? tempPostgres() : undefined;
  if (main) pg.push(main);
  const dbUrl = main?.url ?? `sqlite://${dir.join("kanade.db")}`;
  const stateDir = main?.stateDir ?? dir.path;
  const children: ChildProcess[] = [];
  const backends: Backend[] = [];

  const commandKeys = (): string => {
    const file = join(stateDir, "command-keys", "command-keys.json");
    const set = JSON.parse(readFileSync(file, "utf8")) as { keys: { public_key: string }[] };
    return set.keys.map((k) => k.public_key).join(",");
  };

  return {
    urls,
    nodes,
    dir,
    dbUrl,
    backends,
    async startBackends(token) {
      // One after another: the first one migrates the database and creates the streams.
      for (let i = 0; i < shape.backends; i++) {
        const port = await freePort();
        const base = `http://127.0.0.1:${port}`;
        const child = spawnBin("backend", "kanade-backend", [], {
          KANADE_BIND_ADDR: `127.0.0.1:${port}`,
          KANADE_NATS_URL: urls,
          KANADE_NATS_REPLICAS: String(shape.replicas),
          DATABASE_URL: dbUrl,
          KANADE_STATE_DIR: stateDir,
          KANADE_AUTH_STATIC_TOKEN: token,
          KANADE_LOG: "warn",
        });
        children.push(child);
        await waitFor(() => fetch(`${base}/health`).then((r) => r.ok, () => false), { timeoutMs: 120_000, what: `backend ${i + 1}` });
        backends.push({ base, api: apiClient(base, token), child });
      }
    },
    simulate(counts) {
      const keys = commandKeys();
      return counts.map((count, i) => {
        const sim = spawnBin(
          "agent",
          "kanade-agent",
          ["simulate", "--count", String(count), "--prefix", `s${i + 1}-`],
          { KANADE_NATS_URL: urls, KANADE_AGENT_DATA_DIR: dir.join(`sim${i + 1}`), KANADE_LOG: "warn", KANADE_COMMAND_KEYS: keys },
          SIMULATOR_NODE_ARGS,
        );
        children.push(sim);
        return sim;
      });
    },
    floorDb() {
      if (shape.db === "sqlite") return dir.join("floor.db");
      const db = tempPostgres();
      pg.push(db);
      return db.url;
    },
    async stop() {
      for (const c of children.reverse()) await stopChild(c);
      await single?.dispose();
      await cluster?.dispose();
      for (const db of pg) db.remove();
      dir.remove();
    },
  };
}

/** Open file descriptors of a process (sockets included), from /proc. */
export const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
