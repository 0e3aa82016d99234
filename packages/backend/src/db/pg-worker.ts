/**
 * The PostgreSQL side of the synchronous bridge (postgres.ts): runs in a worker thread with one `pg`
 * connection, answers each request on the port, then flips the shared flag the main thread is blocked on
 * (Atomics.wait). One request at a time, in order: the main thread never sends a second before the first
 * is answered. Self-contained (only `pg` and node: modules) so it runs as a file under Node's type
 * stripping, as dist JavaScript, and bundled to one string inside the backend's single executable.
 */
import { workerData, type MessagePort } from "node:worker_threads";
import pg from "pg";

interface Request {
  op: "query" | "exec" | "close";
  /** Sent inside a transaction: after a lost connection this must fail, never run on a new one by itself. */
  tx?: boolean;
  text: string;
  name?: string;
  values?: unknown[];
  array?: boolean;
}

const { url, flag, port } = workerData as { url: string; flag: SharedArrayBuffer; port: MessagePort };
const state = new Int32Array(flag);

// The stores expect what SQLite gives: integers and aggregates as JS numbers, booleans as 0/1.
pg.types.setTypeParser(20, Number); // int8 (COUNT(*), BIGINT columns)
pg.types.setTypeParser(1700, Number); // numeric (SUM of BIGINT)
pg.types.setTypeParser(16, (v: string) => (v === "t" ? 1 : 0)); // bool

let client: pg.Client;
let broken: Error | undefined;
let ready: Promise<void>;

/** One connection; when it breaks (server restart, network), the next call outside a transaction opens another. */
function connect(): void {
  const c = new pg.Client({ connectionString: url, application_name: "kanade-backend" });
  c.on("error", (err: Error) => {
    broken = err;
  });
  client = c;
  broken = undefined;
  ready = c.connect().then(
    () => undefined,
    (err: Error) => {
      broken = err;
    },
  );
}
connect();
let connected = false;

function answer(reply: unknown): void {
  port.postMessage(reply);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}

function asValue(v: unknown): unknown {
  return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}

async function handle(req: Request): Promise<unknown> {
  await ready;
  if (broken && connected && !req.tx && req.op !== "close") {
    void client.end().catch(() => undefined);
    connect();
    await ready;
  }
  if (broken) throw broken;
  connected = true;
  if (req.op === "close") {
    await client.end();
    return { rows: [], rowCount: 0 };
  }
  if (req.op === "exec") {
    await client.query(req.text);
    return { rows: [], rowCount: 0 };
  }
  const r = await client.query({
    text: req.text,
    ...(req.name ? { name: req.name } : {}),
    values: (req.values ?? []).map(asValue),
    ...(req.array ? { rowMode: "array" as const } : {}),
  });
  return { rows: r.rows, rowCount: r.rowCount ?? 0 };
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (req: Request) => {
  queue = queue.then(async () => {
    try {
      answer({ ok: true, ...((await handle(req)) as object) });
    } catch (err) {
      const e = err as Error & { code?: string; detail?: string };
      answer({ ok: false, message: e.message, code: e.code, detail: e.detail });
    }
  });
});
