/**
 * The PostgreSQL engine of the database handle (handle.ts), synchronous like SQLite: the async `pg` driver
 * runs in a worker thread (pg-worker.ts) and each call blocks the main thread until its answer is back
 * (Atomics.wait on a shared flag, then receiveMessageOnPort). The event loop waits on the database exactly
 * as it already waits on SQLite, so every store, projector and transaction keeps its behaviour: nothing
 * interleaves with a transaction, and a store call still returns its rows, not a promise. What it costs is
 * the round trip per call (measured in docs/operator/database.md).
 *
 * Where waiting would hold up the whole backend at fleet scale (a fan-out's results), a store hands a whole
 * transaction to `transactionInBackground` instead: the worker runs it on a second connection and the event loop
 * goes on meanwhile.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { BackgroundStatement, RunResult, SqlDatabase, SqlParams, SqlStatement } from "./handle.js";
import { bind, toPostgres, type PgSql } from "./pg-sql.js";

/** The worker's source, bundled to one string by the release build (the single executable has no files). */
declare const __KANADE_PG_WORKER__: string | undefined;

/** How long one call may wait for its answer before the backend gives up on the database. */
const CALL_TIMEOUT_MS = 5 * 60_000;

interface BackgroundReply {
  id: number;
  ok: boolean;
  changes?: number[];
  message?: string;
  code?: string;
  detail?: string;
}

interface Reply {
  ok: boolean;
  seq?: number;
  rows?: unknown[];
  rowCount?: number;
  message?: string;
  code?: string;
  detail?: string;
}

/** A PostgreSQL error as the stores see it: the server's message, its SQLSTATE in `code`. */
export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "PostgresError";
  }
}

function startWorker(workerData: object, transferList: MessagePort[]): Worker {
  if (typeof __KANADE_PG_WORKER__ === "string") return new Worker(__KANADE_PG_WORKER__, { eval: true, workerData, transferList });
  // From dist the worker is JavaScript; from source (tests) Node strips its types itself.
  const js = new URL("./pg-worker.js", import.meta.url);
  const file = existsSync(fileURLToPath(js)) ? js : new URL("./pg-worker.ts", import.meta.url);
  return new Worker(file, { workerData, transferList });
}

class PgStatement implements SqlStatement {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly sql: PgSql,
    private readonly name: string,
    private readonly firstColumnOnly = false,
  ) {}

  pluck(): SqlStatement {
    return new PgStatement(this.db, this.sql, this.name, true);
  }

  run(...params: SqlParams): RunResult {
    return { changes: this.query(params).rowCount ?? 0, lastInsertRowid: 0 };
  }

  get(...params: SqlParams): unknown {
    return this.query(params).rows![0];
  }

  all(...params: SqlParams): unknown[] {
    return this.query(params).rows!;
  }

  *iterate(...params: SqlParams): IterableIterator<unknown> {
    yield* this.all(...params);
  }

  private query(params: SqlParams): Reply {
    const reply = this.db.call({ op: "query", text: this.sql.text, name: this.name, values: bind(this.sql.slots, params), array: this.firstColumnOnly });
    if (this.firstColumnOnly) reply.rows = reply.rows!.map((r) => (r as unknown[])[0]);
    return reply;
  }
}

export class PostgresDatabase implements SqlDatabase {
  readonly engine = "postgres";
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly bgPort: MessagePort;
  private readonly bgWaiting = new Map<number, { resolve(changes: number[]): void; reject(err: Error): void }>();
  private bgNext = 1;
  /** Numbers the synchronous calls (see call). */
  private seq = 0;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** Each distinct statement text is prepared once on the server under its own name. */
  private readonly names = new Map<string, string>();
  private depth = 0;
  private savepoints = 0;
  private closed = false;

  /** Connects (blocking until the server answers, or throwing why it did not). */
  constructor(url: string) {
    const { port1, port2 } = new MessageChannel();
    const bg = new MessageChannel();
    this.port = port1;
    this.bgPort = bg.port1;
    this.worker = startWorker({ url, flag: this.flag.buffer, port: port2, bgPort: bg.port2 }, [port2, bg.port2]);
    this.worker.unref();
    this.port.unref();
    this.bgPort.on("message", (reply: BackgroundReply) => this.settleBackground(reply));
    this.bgPort.unref();
    try {
      this.call({ op: "exec", text: "SET client_min_messages = warning" });
    } catch (err) {
      this.closed = true;
      void this.worker.terminate();
      throw err;
    }
  }

  /** One request to the worker, waited for synchronously. */
  call(req: { op: "query" | "exec" | "close"; text: string; name?: string; values?: unknown[]; array?: boolean; bgSent?: number }): Reply {
    if (this.closed) throw new PostgresError("the database connection is closed");
    const seq = ++this.seq;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...req, tx: this.depth > 0, seq });
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    const overdue = (): boolean => Date.now() > deadline;
    for (;;) {
      if (Atomics.wait(this.flag, 0, 0, 1000) !== "timed-out") break;
      if (overdue()) throw new PostgresError(`PostgreSQL did not answer within ${CALL_TIMEOUT_MS / 1000} s`);
    }
    // The answer is matched by its number: one that is not on the port yet is waited for, and one left over from
    // a call that gave up is dropped, so a reply never reaches the wrong caller.
    let reply: Reply | undefined;
    while (reply === undefined) {
      const msg = receiveMessageOnPort(this.port);
      if (msg && (msg.message as Reply).seq === seq) reply = msg.message as Reply;
      else if (!msg && overdue()) throw new PostgresError("the database worker answered nothing");
      else if (!msg) Atomics.wait(this.flag, 0, 1, 1);
    }
    if (!reply.ok) throw new PostgresError(reply.message ?? "PostgreSQL error", reply.code, reply.detail);
    return reply;
  }

  prepare(sql: string): SqlStatement {
    const pgSql = toPostgres(sql);
    return new PgStatement(this, pgSql, this.nameOf(pgSql));
  }

  private nameOf(pgSql: PgSql): string {
    let name = this.names.get(pgSql.text);
    if (name === undefined) {
      name = `kanade_${this.names.size + 1}`;
      this.names.set(pgSql.text, name);
    }
    return name;
  }

  transactionInBackground(statements: readonly BackgroundStatement[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new PostgresError("the database connection is closed"));
    if (this.depth > 0) return Promise.reject(new Error("a background transaction cannot be part of a transaction"));
    const id = this.bgNext++;
    const sent = statements.map((s) => {
      const pgSql = toPostgres(s.sql);
      return { text: pgSql.text, name: this.nameOf(pgSql), values: bind(pgSql.slots, s.params) };
    });
    return new Promise<number[]>((resolve, reject) => {
      this.bgWaiting.set(id, { resolve, reject });
      // Kept referenced while a transaction is out, so the process does not exit under it.
      if (this.bgWaiting.size === 1) this.bgPort.ref();
      this.bgPort.postMessage({ id, statements: sent });
    });
  }

  private settleBackground(reply: BackgroundReply): void {
    const waiting = this.bgWaiting.get(reply.id);
    if (!waiting) return;
    this.bgWaiting.delete(reply.id);
    if (this.bgWaiting.size === 0) this.bgPort.unref();
    if (reply.ok) waiting.resolve(reply.changes ?? []);
    else waiting.reject(new PostgresError(reply.message ?? "PostgreSQL error", reply.code, reply.detail));
  }

  exec(sql: string): void {
    this.call({ op: "exec", text: toPostgres(sql, false).text });
  }

  pragma(): unknown[] {
    return [];
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      const nested = this.depth > 0;
      const savepoint = nested ? `kanade_sp_${++this.savepoints}` : "";
      this.exec(nested ? `SAVEPOINT ${savepoint}` : "BEGIN");
      this.depth++;
      try {
        const result = fn(...args);
        this.exec(nested ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT");
        return result;
      } catch (err) {
        try {
          if (!this.closed) this.exec(nested ? `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` : "ROLLBACK");
        } catch {
          // The connection is gone (the server rolled the transaction back itself): the store sees its own error.
        }
        throw err;
      } finally {
        this.depth--;
      }
    };
  }

  get open(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    try {
      // The worker finishes the background transactions already sent before it closes.
      this.call({ op: "close", text: "", bgSent: this.bgNext - 1 });
    } finally {
      this.closed = true;
      // Their answers are already on the port: settle them now, not on a later turn of the event loop.
      for (let m = receiveMessageOnPort(this.bgPort); m; m = receiveMessageOnPort(this.bgPort)) this.settleBackground(m.message as BackgroundReply);
      for (const reply of [...this.bgWaiting.keys()].map((id) => ({ id, ok: false, message: "the database connection was closed" }))) this.settleBackground(reply);
      void this.worker.terminate();
    }
  }
}
