/**
 * A small KLP client (Node): connect, handshake, call, receive pushes. The tests use it, and so will
 * kanade-client. It trusts nothing the agent sends without checking it against the envelope schema.
 */
import { connect, type Socket } from "node:net";
import { FrameDecoder, encodeFrame } from "./frame.js";
import { KLP_PROTOCOL_VERSION, klpServerMessageSchema, type KlpErrorObject } from "./rpc.js";
import { handshakeResultSchema, type HandshakeResult } from "./methods.js";

/** The agent answered a call with a JSON-RPC error. */
export class KlpCallError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(err: KlpErrorObject) {
    super(err.message);
    this.name = "KlpCallError";
    this.code = err.code;
    this.data = err.data;
  }
}

/** The connection ended (closed by the agent, or the socket failed) before an answer came. */
export class KlpClosedError extends Error {
  constructor(message = "KLP connection closed") {
    super(message);
    this.name = "KlpClosedError";
  }
}

export interface KlpConnectOptions {
  clientVersion: string;
  clientName?: string;
  /** Overrides the protocol version sent in the handshake (tests of stale clients). */
  protocolVersion?: number;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

export class KlpClient {
  private nextId = 1;
  private readonly pending = new Map<number | string, Pending>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private closedError: Error | undefined;
  /** Set once the handshake succeeded. */
  hello: HandshakeResult | undefined;

  private constructor(private readonly socket: Socket) {
    const decoder = new FrameDecoder();
    socket.on("data", (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind === "too_large") return this.fail(new KlpClosedError(`the agent sent a frame of ${ev.length} bytes`));
        this.onFrame(ev.body);
      }
    });
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new KlpClosedError()));
  }

  /** Opens `path` (a Unix socket or a named pipe) and performs `system.handshake`. */
  static async connect(path: string, opts: KlpConnectOptions): Promise<KlpClient> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const client = new KlpClient(socket);
    const params = {
      protocol_version: opts.protocolVersion ?? KLP_PROTOCOL_VERSION,
      client_version: opts.clientVersion,
      ...(opts.clientName ? { client_name: opts.clientName } : {}),
    };
    try {
      client.hello = handshakeResultSchema.parse(await client.call("system.handshake", params));
    } catch (err) {
      client.close();
      throw err;
    }
    return client;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  call(method: string, params?: Record<string, unknown>): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encodeFrame({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) }));
    });
  }

  /** Calls `fn` with the params of every push named `method`; returns an unsubscribe function. */
  on(method: string, fn: (params: unknown) => void): () => void {
    const set = this.listeners.get(method) ?? new Set();
    set.add(fn);
    this.listeners.set(method, set);
    return () => void set.delete(fn);
  }

  /** Resolves when the agent (or we) closed the connection. */
  waitClosed(): Promise<void> {
    if (this.closedError) return Promise.resolve();
    return new Promise((resolve) => this.socket.once("close", () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }

  private onFrame(body: Buffer): void {
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString("utf8"));
    } catch {
      return this.fail(new KlpClosedError("the agent sent a frame that is not JSON"));
    }
    const msg = klpServerMessageSchema.safeParse(raw);
    if (!msg.success) return this.fail(new KlpClosedError("the agent sent a frame that is not JSON-RPC"));
    const m = msg.data;
    if ("method" in m) {
      for (const fn of this.listeners.get(m.method) ?? []) fn(m.params);
      return;
    }
    const waiting = m.id === null ? undefined : this.pending.get(m.id);
    if (m.id === null || !waiting) {
      // An error about a frame the agent could not read: it closes the connection next.
      if ("error" in m) this.closedError ??= new KlpCallError(m.error);
      return;
    }
    this.pending.delete(m.id);
    if ("error" in m) waiting.reject(new KlpCallError(m.error));
    else waiting.resolve(m.result);
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    for (const p of this.pending.values()) p.reject(this.closedError);
    this.pending.clear();
    this.socket.destroy();
  }
}
