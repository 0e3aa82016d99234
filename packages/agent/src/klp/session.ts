/**
 * One KLP connection: frames in, JSON-RPC out. Every frame is checked (size, JSON, envelope, params);
 * one that cannot be read is answered with an error and the connection is closed; the agent carries on.
 */
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import * as z from "zod";
import {
  FrameDecoder,
  KLP_ERRORS,
  KLP_METHOD_PARAMS,
  encodeFrame,
  klpRequestSchema,
  type KlpErrorCode,
  type KlpMethod,
} from "@kanade/protocol/klp";
import { KlpFault } from "./faults.js";
import { BEFORE_HANDSHAKE, KLP_HANDLERS, type KlpServices, type KlpSessionView } from "./handlers.js";
import { RateWindow } from "./rate-limit.js";

export const REQUESTS_PER_MINUTE = 60;
/** A client that stops reading gets dropped rather than buffered without end. */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;

type RpcId = string | number | null;

export class KlpSession implements KlpSessionView {
  clientVersion: string | undefined;
  stateSeen: string | undefined;
  subscribedJobs = false;
  subscribedNotices = false;
  private readonly decoder = new FrameDecoder();
  private readonly rate: RateWindow;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    readonly user: string,
    private readonly svc: KlpServices,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.rate = new RateWindow(REQUESTS_PER_MINUTE, 60_000, now);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => log.debug({ err }, "klp connection error"));
    socket.on("close", () => (this.closed = true));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A JSON-RPC notification from the agent. */
  push(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    for (const ev of this.decoder.push(chunk)) {
      if (ev.kind === "too_large") {
        return this.refuse(null, KLP_ERRORS.PAYLOAD_TOO_LARGE, `frames are limited to 1 MiB; this one announced ${ev.length} bytes`, { length: ev.length });
      }
      this.onFrame(ev.body);
      if (this.closed) return;
    }
  }

  private onFrame(body: Buffer): void {
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString("utf8"));
    } catch {
      return this.refuse(null, KLP_ERRORS.PARSE_ERROR, "the frame is not JSON", { bytes: body.length });
    }
    const req = klpRequestSchema.safeParse(raw);
    if (!req.success) {
      const id = idOf(raw);
      return this.refuse(id, KLP_ERRORS.INVALID_REQUEST, "the frame is not a JSON-RPC 2.0 request", { issue: req.error.issues[0]?.message });
    }
    const { id, method, params } = req.data;
    if (!this.rate.take()) return this.error(id, KLP_ERRORS.RATE_LIMIT, `at most ${REQUESTS_PER_MINUTE} requests a minute`);
    if (this.clientVersion === undefined && !BEFORE_HANDSHAKE.has(method)) {
      return this.error(id, KLP_ERRORS.UNAUTHORIZED, "call system.handshake first");
    }
    if (!Object.hasOwn(KLP_METHOD_PARAMS, method)) return this.error(id, KLP_ERRORS.METHOD_NOT_FOUND, `no method "${method}"`);
    const name = method as KlpMethod;
    const schema: z.ZodType = KLP_METHOD_PARAMS[name];
    const p = schema.safeParse(params);
    if (!p.success) return this.error(id, KLP_ERRORS.INVALID_PARAMS, `invalid params: ${z.prettifyError(p.error)}`);
    void this.invoke(id, name, p.data);
  }

  private async invoke(id: string | number, method: KlpMethod, params: unknown): Promise<void> {
    const handler = KLP_HANDLERS[method] as (s: KlpSessionView, p: unknown, svc: KlpServices) => unknown;
    try {
      const result = await handler(this, params, this.svc);
      this.send({ jsonrpc: "2.0", id, result });
    } catch (err) {
      if (err instanceof KlpFault) {
        this.error(id, err.code, err.message);
        if (err.close) this.endAfterWrite();
        return;
      }
      this.log.error({ err, method, user: this.user }, "klp handler failed");
      this.error(id, KLP_ERRORS.INTERNAL_ERROR, "internal error");
    }
  }

  /** A frame that cannot be read: answer, log, close. */
  private refuse(id: RpcId, code: KlpErrorCode, message: string, detail: Record<string, unknown>): void {
    this.log.warn({ user: this.user, code, ...detail }, `klp: ${message}; closing the connection`);
    this.error(id, code, message);
    this.endAfterWrite();
  }

  private error(id: RpcId, code: KlpErrorCode, message: string): void {
    this.send({ jsonrpc: "2.0", id, error: { code, message } });
  }

  private endAfterWrite(): void {
    this.closed = true;
    this.socket.end();
    // A peer that never reads must not keep the half-closed socket open.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  private send(message: unknown): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.log.warn({ user: this.user }, "klp: client does not read its answers; closing the connection");
      return this.close();
    }
    this.socket.write(encodeFrame(message));
  }
}

function idOf(raw: unknown): RpcId {
  if (typeof raw !== "object" || raw === null || !("id" in raw)) return null;
  const id = (raw as { id: unknown }).id;
  return (typeof id === "string" && id.length <= 128) || (typeof id === "number" && Number.isSafeInteger(id)) ? id : null;
}
