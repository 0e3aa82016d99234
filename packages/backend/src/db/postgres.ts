/**
 * The PostgreSQL engine of the database handle (handle.ts), synchronous like SQLite: the async `pg` driver
 * runs in a worker thread (pg-worker.ts) and each call blocks the main thread until its answer is back
 * (Atomics.wait on a shared flag, then receiveMessageOnPort). The event loop waits on the database exactly
 * as it already waits on SQLite, so every store, projector and transaction keeps its behaviour: nothing
 * interleaves with a transaction, and a store call still returns its rows, not a promise. What it costs is
 * the round trip per call (measured in docs/operator/database.md).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { RunResult, SqlDatabase, SqlParams, SqlStatement } from "./handle.js";
import { bind, toPostgres, type PgSql } from "./pg-sql.js";

/** The worker's source, bundled to one string by the release build (the single executable has no files). */
declare const __KANADE_PG_WORKER__: string | undefined;

/** How long one call may wait for its answer before the backend gives up on the database. */
const CALL_TIMEOUT_MS = 5 * 60_000;

interface Reply {
  ok: boolean;
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
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** Each distinct statement text is prepared once on the server under its own name. */
  private readonly names = new Map<string, string>();
  private depth = 0;
  private savepoints = 0;
  private closed = false;

  /** Connects (blocking until the server answers, or throwing why it did not). */
  constructor(url: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = startWorker({ url, flag: this.flag.buffer, port: port2 }, [port2]);
    this.worker.unref();
    this.port.unref();
    try {
      this.call({ op: "exec", text: "SET client_min_messages = warning" });
    } catch (err) {
      this.closed = true;
      void this.worker.terminate();
      throw err;
    }
  }

  /** One request to the worker, waited for synchronously. */
  call(req: { op: "query" | "exec" | "close"; text: string; name?: string; values?: unknown[]; array?: boolean }): Reply {
    if (this.closed) throw new PostgresError("the database connection is closed");
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...req, tx: this.depth > 0 });
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (;;) {
      if (Atomics.wait(this.flag, 0, 0, 1000) !== "timed-out") break;
      if (Date.now() > deadline) throw new PostgresError(`PostgreSQL did not answer within ${CALL_TIMEOUT_MS / 1000} s`);
    }
    const msg = receiveMessageOnPort(this.port);
    if (!msg) throw new PostgresError("the database worker answered nothing");
    const reply = msg.message as Reply;
    if (!reply.ok) throw new PostgresError(reply.message ?? "PostgreSQL error", reply.code, reply.detail);
    return reply;
  }

  prepare(sql: string): SqlStatement {
    const pgSql = toPostgres(sql);
    let name = this.names.get(pgSql.text);
    if (name === undefined) {
      name = `kanade_${this.names.size + 1}`;
      this.names.set(pgSql.text, name);
    }
    return new PgStatement(this, pgSql, name);
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
      this.call({ op: "close", text: "" });
    } finally {
      this.closed = true;
      void this.worker.terminate();
    }
  }
}
