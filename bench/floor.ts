/**
 * The floor: what NATS and SQLite alone can do for one fan-out on this machine, with nothing of kanade in
 * between. An agents process (bench/floor-agents.ts) holds N connections, one per simulated PC, as the
 * simulator does; this process publishes one request, each connection answers with a result published to
 * a JetStream stream (file storage, msgID dedup), and a pull consumer inserts the results into SQLite in
 * batches (one transaction per batch: what arrived by the next turn of the event loop, at most 500), the way the
 * results projector reads RESULTS. The figure is the time from the request to the commit of the batch
 * holding the Nth result.
 *
 *   npm run bench:floor                     # N = 1000 and 5000
 *   BENCH_SIZES=200 BENCH_RUNS=3 npm run bench:floor
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type Consumer, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { openDatabase } from "@kanade/backend";
import { REPO_ROOT, startNatsServer, tempDir } from "@kanade/testkit";
import { FLOOR_REQUEST_SUBJECT } from "./floor-agents.js";
import { cpuSeconds, cpuSpent, percentile, stopChild, type CpuReading } from "./lib.js";

export const STREAM = "FLOOR_RESULTS";
export const BATCH_MAX = 500;

export interface FloorFigures {
  agents: number;
  runs: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  /** Transactions the consumer committed per run (median). */
  batches: number;
  /**
   * CPU time one run took (median): the broker, the agents process and this process (the consumer and
   * SQLite), user + system, in ms (10 ms resolution). Unlike the elapsed time, barely moved by other load.
   */
  cpu_ms: number;
  /** `cpu_ms` of the run with the median CPU time, per process. */
  cpu_split_ms: Record<string, number>;
}

/** One floor or exec run: elapsed ms, projector/consumer transactions, CPU ms of the processes involved. */
export interface Run {
  ms: number;
  batches: number;
  cpu_ms: number;
  cpu_split_ms: Record<string, number>;
}

/** The run with the median CPU time. */
export function medianCpu(runs: readonly { cpu_ms: number; cpu_split_ms: Record<string, number> }[]): { cpu_ms: number; cpu_split_ms: Record<string, number> } {
  const m = [...runs].sort((a, b) => a.cpu_ms - b.cpu_ms)[Math.ceil(runs.length / 2) - 1]!;
  return { cpu_ms: m.cpu_ms, cpu_split_ms: m.cpu_split_ms };
}

/**
 * The floor's consumer loop, batching as the backend's projectors do (projector/durable.ts): messages are taken by
 * a callback, and what arrived by the next turn of the event loop is written (up to BATCH_MAX at a time), acked
 * and reported. Deciding from the iterator's pending count instead once held a last short batch until the pull
 * expired, and a run then measured the wait. Ends when the consumption closes.
 */
export async function consumeInBatches(
  consumer: Consumer,
  opts: { max_messages: number; expires?: number },
  write: (batch: JsMsg[]) => void | Promise<void>,
  written: (n: number) => void,
): Promise<{ messages: ConsumerMessages; done: Promise<void> }> {
  const pending: JsMsg[] = [];
  let draining: Promise<void> | undefined;
  let scheduled: NodeJS.Immediate | undefined;
  const drain = (): void => {
    scheduled = undefined;
    draining ??= (async () => {
      while (pending.length > 0) {
        const batch = pending.splice(0, BATCH_MAX);
        await write(batch);
        for (const b of batch) b.ack();
        written(batch.length);
      }
    })().finally(() => (draining = undefined));
  };
  const messages = await consumer.consume({
    ...opts,
    callback: (m) => {
      pending.push(m);
      // A drain under way takes it on its next pass.
      if (!draining) scheduled ??= setImmediate(drain);
    },
  });
  const done = (async () => {
    await messages.closed();
    if (scheduled) clearImmediate(scheduled);
    drain();
    while (draining) await draining;
  })();
  return { messages, done };
}

/** A floor-agents process with `n` connections to `url` (one or several, comma-separated), PCs numbered from `first`. */
export function startFloorAgents(url: string, n: number, first = 1): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", `${REPO_ROOT}bench/floor-agents.ts`], {
    env: { ...process.env, FLOOR_NATS_URL: url, FLOOR_COUNT: String(n), FLOOR_FIRST: String(first) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`floor agents exited early (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (l) => (l === "ready" ? resolve(child) : undefined));
  });
}

/** A floor set up for `n` connections: each `run` is one fan-out, timed in ms. */
export interface Floor {
  run(): Promise<Run>;
  stop(): Promise<void>;
}

export async function startFloor(n: number): Promise<Floor> {
  const nats = await startNatsServer();
  const dir = tempDir("kanade-floor-");
  let agents: ChildProcess | undefined;
  const nc = await connect({ servers: nats.url, name: "floor-backend" });
  const stopAll = async (): Promise<void> => {
    if (agents) await stopChild(agents);
    await nc.close();
    await nats.dispose();
    dir.remove();
  };
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ["floor.results.>"], storage: StorageType.File, retention: RetentionPolicy.Limits, duplicate_window: 600_000_000_000 });
    await jsm.consumers.add(STREAM, { durable_name: "floor", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 20_000 });
    const db = openDatabase(dir.join("floor.db"));
    db.prepare(`CREATE TABLE floor_results (result_id TEXT PRIMARY KEY, exec_id TEXT NOT NULL, pc_id TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL)`).run();
    const insert = db.prepare(`INSERT INTO floor_results VALUES (?, ?, ?, ?, ?) ON CONFLICT (result_id) DO NOTHING`);
    const insertBatch = db.transaction((batch: readonly JsMsg[]) => {
      const now = new Date().toISOString();
      for (const m of batch) {
        const r = m.json<{ result_id: string; exec_id: string; pc_id: string }>();
        insert.run(r.result_id, r.exec_id, r.pc_id, m.string(), now);
      }
    });

    agents = await startFloorAgents(nats.url, n);
    const consumer = await jetstream(nc).consumers.get(STREAM, "floor");
    let stored = 0;
    let batches = 0;
    let onStored: (() => void) | undefined;
    const { messages, done: loop } = await consumeInBatches(consumer, { max_messages: BATCH_MAX * 2 }, insertBatch, (n) => {
      stored += n;
      batches += 1;
      onStored?.();
    });
    let runs = 0;
    return {
      run: async () => {
        const target = stored + n;
        const before = batches;
        const cpu = (): CpuReading => {
          const own = process.cpuUsage();
          return { broker: cpuSeconds(nats.pid()!), agents: cpuSeconds(agents!.pid!), consumer: (own.user + own.system) / 1e6 };
        };
        const cpu0 = cpu();
        const start = performance.now();
        const done = new Promise<void>((resolve) => (onStored = () => (stored >= target ? resolve() : undefined)));
        nc.publish(FLOOR_REQUEST_SUBJECT, JSON.stringify({ exec_id: `floor${++runs}` }));
        await done;
        const ms = performance.now() - start;
        const spent = cpuSpent(cpu0, cpu());
        return { ms, batches: batches - before, cpu_ms: spent.total, cpu_split_ms: spent.split };
      },
      stop: async () => {
        await messages.close();
        await loop;
        db.close();
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export function floorFigures(n: number, measured: readonly Run[]): FloorFigures {
  const times = measured.map((m) => m.ms);
  return {
    agents: n,
    runs: measured.length,
    median_ms: Math.round(percentile(times, 50)),
    min_ms: Math.round(Math.min(...times)),
    max_ms: Math.round(Math.max(...times)),
    batches: percentile(measured.map((m) => m.batches), 50),
    ...medianCpu(measured),
  };
}

/** Runs `runs` fan-outs to `n` connections and returns the figures. */
export async function measureFloor(n: number, runs: number): Promise<FloorFigures> {
  const floor = await startFloor(n);
  try {
    const measured: Run[] = [];
    for (let i = 0; i < runs; i++) measured.push(await floor.run());
    return floorFigures(n, measured);
  } finally {
    await floor.stop();
  }
}

if (process.argv[1]?.endsWith("floor.ts")) {
  const sizes = (process.env.BENCH_SIZES ?? "1000,5000").split(",").map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const results: FloorFigures[] = [];
  for (const n of sizes) results.push(await measureFloor(n, runs));
  console.log(JSON.stringify({ bench: "floor", results }));
}
