/**
 * The PostgreSQL side of the synchronous bridge (postgres.ts): runs in a worker thread with one `pg`
 * connection, answers each request on the port, then flips the shared flag the main thread is blocked on
 * (Atomics.wait). One request at a time, in order: the main thread never sends a second before the first
 * is answered.
 *
 * A second connection runs background transactions (`bgPort`): the main thread sends a whole transaction's
 * statements at once and goes on; this worker runs them from BEGIN to COMMIT and answers on that port. They run
 * one after another, in the order sent. Because no step of one waits for the main thread, a synchronous call
 * made meanwhile that waits on its locks is never stuck behind it.
 *
 * Self-contained (only `pg` and node: modules) so it runs as a file under Node's type stripping, as dist
 * JavaScript, and bundled to one string inside the backend's single executable.
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
  /** With `close`: how many background transactions the main thread has sent. */
  bgSent?: number;
  /** Echoed in the answer, so the main thread can tell it from a late answer to a call it gave up on. */
  seq: number;
}

interface Statement {
  text: string;
  name: string;
  values: unknown[];
}

interface BackgroundRequest {
  id: number;
  statements: Statement[];
}

const { url, flag, port, bgPort } = workerData as { url: string; flag: SharedArrayBuffer; port: MessagePort; bgPort: MessagePort };
const state = new Int32Array(flag);

// The stores expect what SQLite gives: integers and aggregates as JS numbers, booleans as 0/1.
pg.types.setTypeParser(20, Number); // int8 (COUNT(*), BIGINT columns)
pg.types.setTypeParser(1700, Number); // numeric (SUM of BIGINT)
pg.types.setTypeParser(16, (v: string) => (v === "t" ? 1 : 0)); // bool

/** A connection that, once broken (server restart, network), is replaced by the next use outside a transaction. */
class Connection {
  client!: pg.Client;
  broken: Error | undefined;
  ready!: Promise<void>;
  private connected = false;
  // No parameter properties: this file also runs under Node's type stripping.
  private readonly role: string;

  constructor(role: string) {
    this.role = role;
    this.connect();
  }

  private connect(): void {
    const c = new pg.Client({ connectionString: url, application_name: this.role });
    c.on("error", (err: Error) => {
      this.broken = err;
    });
    this.client = c;
    this.broken = undefined;
    this.ready = c.connect().then(
      () => undefined,
      (err: Error) => {
        this.broken = err;
      },
    );
  }

  /** The client to use now; `inTransaction`: a lost connection fails the call instead of being replaced. */
  async use(inTransaction: boolean): Promise<pg.Client> {
    await this.ready;
    if (this.broken && this.connected && !inTransaction) {
      void this.client.end().catch(() => undefined);
      this.connect();
      await this.ready;
    }
    if (this.broken) throw this.broken;
    this.connected = true;
    return this.client;
  }
}

const main = new Connection("kanade-backend");
/** Opened on the first background transaction. */
let background: Connection | undefined;

function answer(reply: unknown): void {
  port.postMessage(reply);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}

function asValue(v: unknown): unknown {
  return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}

async function handle(req: Request): Promise<unknown> {
  if (req.op === "close") {
    // The two ports deliver in no set order between them: wait for every background transaction sent before this.
    while (bgReceived < (req.bgSent ?? 0)) await new Promise((r) => setImmediate(r));
    await bgQueue;
    await Promise.all([main, background].map((c) => (c && !c.broken ? c.client.end() : undefined)));
    return { rows: [], rowCount: 0 };
  }
  const client = await main.use(req.tx === true);
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

/** One background transaction: every statement or none; answers each statement's row count. */
async function runBackground(req: BackgroundRequest): Promise<number[]> {
  background ??= new Connection("kanade-backend-background");
  const client = await background.use(false);
  await client.query("BEGIN");
  try {
    const changes: number[] = [];
    for (const s of req.statements) changes.push((await client.query({ text: s.text, name: s.name, values: s.values.map(asValue) })).rowCount ?? 0);
    await client.query("COMMIT");
    return changes;
  } catch (err) {
    if (!background.broken) await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

let bgQueue: Promise<void> = Promise.resolve();
let bgReceived = 0;
bgPort.on("message", (req: BackgroundRequest) => {
  bgReceived = req.id;
  bgQueue = bgQueue.then(async () => {
    try {
      bgPort.postMessage({ id: req.id, ok: true, changes: await runBackground(req) });
    } catch (err) {
      const e = err as Error & { code?: string; detail?: string };
      bgPort.postMessage({ id: req.id, ok: false, message: e.message, code: e.code, detail: e.detail });
    }
  });
});

let queue: Promise<void> = Promise.resolve();
port.on("message", (req: Request) => {
  queue = queue.then(async () => {
    try {
      answer({ ok: true, seq: req.seq, ...((await handle(req)) as object) });
    } catch (err) {
      const e = err as Error & { code?: string; detail?: string };
      answer({ ok: false, seq: req.seq, message: e.message, code: e.code, detail: e.detail });
    }
  });
});
