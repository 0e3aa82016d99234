/**
 * The floor of bench/scale.ts: what the broker nodes and the database alone do for one fan-out to N PCs, with
 * nothing of kanade in between. N connections in several processes (bench/floor-agents.ts, one NATS connection
 * per PC, spread over the same nodes the stack uses) each answer one request with a result published to a
 * JetStream stream (file storage, the stack's replica count, msgID dedup); one pull consumer stores them in
 * batches of up to 500 — PostgreSQL: one multi-row `INSERT … SELECT unnest(…)` per batch through `pg`;
 * SQLite: one transaction per batch — and acks them. A run is the time from the request to the commit of the
 * batch holding the Nth result.
 */
import type { ChildProcess } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { FLOOR_REQUEST_SUBJECT } from "./floor-agents.js";
import { BATCH_MAX, STREAM, consumeInBatches, startFloorAgents } from "./floor.js";
import { stopChild } from "./lib.js";


export interface ScaleFloorOptions {
  /** Every node's URL, comma-separated. */
  urls: string;
  n: number;
  processes: number;
  replicas: number;
  /** `postgres://…` (a database of its own) or a SQLite file path. */
  db: string;
}

export interface ScaleFloor {
  readonly connectMs: number;
  /** One fan-out: ms from the request to the commit of the Nth result. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

interface Store {
  insert(rows: { result_id: string; exec_id: string; pc_id: string; body: string }[]): Promise<void>;
  close(): Promise<void>;
}

async function openStore(db: string): Promise<Store> {
  const ddl = "CREATE TABLE floor_results (result_id TEXT PRIMARY KEY, exec_id TEXT NOT NULL, pc_id TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL)";
  if (db.startsWith("postgres://")) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    await client.query(ddl);
    const sql =
      "INSERT INTO floor_results SELECT r, e, p, b, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(r, e, p, b) ON CONFLICT (result_id) DO NOTHING";
    return {
      insert: async (rows) => {
        await client.query(sql, [rows.map((r) => r.result_id), rows.map((r) => r.exec_id), rows.map((r) => r.pc_id), rows.map((r) => r.body), new Date().toISOString()]);
      },
      close: () => client.end(),
    };
  }
  const sqlite = new DatabaseSync(db);
  sqlite.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  sqlite.exec(ddl);
  const insert = sqlite.prepare("INSERT INTO floor_results VALUES (?, ?, ?, ?, ?) ON CONFLICT (result_id) DO NOTHING");
  return {
    insert: async (rows) => {
      const now = new Date().toISOString();
      sqlite.exec("BEGIN");
      for (const r of rows) insert.run(r.result_id, r.exec_id, r.pc_id, r.body, now);
      sqlite.exec("COMMIT");
    },
    close: async () => sqlite.close(),
  };
}

/** Splits `n` into `parts` counts that differ by at most one. */
export const split = (n: number, parts: number): number[] => Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));

export async function startScaleFloor(o: ScaleFloorOptions): Promise<ScaleFloor> {
  const nc = await connect({ servers: o.urls.split(","), name: "floor-backend" });
  const store = await openStore(o.db);
  const agents: ChildProcess[] = [];
  const stopAgents = async (): Promise<void> => {
    await Promise.all(agents.map((a) => stopChild(a)));
  };
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ["floor.results.>"], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: 600_000_000_000, num_replicas: o.replicas });
    await jsm.consumers.add(STREAM, { durable_name: "floor", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 20_000 });
    const t0 = performance.now();
    let first = 1;
    const starting: Promise<ChildProcess>[] = [];
    for (const count of split(o.n, o.processes)) {
      starting.push(startFloorAgents(o.urls, count, first));
      first += count;
    }
    agents.push(...(await Promise.all(starting)));
    const connectMs = Math.round(performance.now() - t0);

    const consumer = await jetstream(nc).consumers.get(STREAM, "floor");
    // As the backend's projectors pull (projector/durable.ts): on a cluster a pull can sit unanswered until it expires.
    let stored = 0;
    let onStored: (() => void) | undefined;
    const { messages, done: loop } = await consumeInBatches(
      consumer,
      { max_messages: BATCH_MAX * 2, expires: 5_000 },
      (batch) =>
        store.insert(
          batch.map((b) => {
            const r = b.json<{ result_id: string; exec_id: string; pc_id: string }>();
            return { result_id: r.result_id, exec_id: r.exec_id, pc_id: r.pc_id, body: b.string() };
          }),
        ),
      (n) => {
        stored += n;
        onStored?.();
      },
    );
    let runs = 0;
    return {
      connectMs,
      run: async () => {
        const target = stored + o.n;
        const start = performance.now();
        const done = new Promise<void>((resolve) => (onStored = () => (stored >= target ? resolve() : undefined)));
        nc.publish(FLOOR_REQUEST_SUBJECT, JSON.stringify({ exec_id: `floor${++runs}` }));
        await done;
        return performance.now() - start;
      },
      stop: async () => {
        await stopAgents();
        await messages.close();
        await loop;
        await jsm.streams.delete(STREAM).catch(() => undefined);
        await store.close();
        await nc.close();
      },
    };
  } catch (err) {
    await stopAgents();
    await store.close();
    await nc.close();
    throw err;
  }
}
