/** Opens a backend WebSocket (perf live views) and yields validated `PerfFrame`s until it closes. */
import WebSocket from "ws";
import { perfFrameSchema, type PerfFrame } from "@kanade/protocol";
import { unauthorizedHint, type ClientConfig } from "./api.js";
import { CliError } from "./errors.js";

export interface LiveSocket {
  /** Frames as they arrive; the iterator ends when the socket closes. */
  frames: AsyncIterable<PerfFrame>;
  close(): void;
}

/**
 * Opens the WebSocket at `url` (from `CliApi.websocket`). The token goes in the Authorization header,
 * which Node can set (browsers use the `bearer.<token>` subprotocol instead, which limits its characters).
 */
export async function openLiveSocket(config: ClientConfig, url: string): Promise<LiveSocket> {
  const path = new URL(url).pathname;
  const ws = new WebSocket(url, { headers: config.token ? { authorization: `Bearer ${config.token}` } : {} });
  const queue: PerfFrame[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  let failure: Error | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  ws.on("message", (data: Buffer) => {
    const r = perfFrameSchema.safeParse(safeJson(data.toString("utf8")));
    if (r.success) queue.push(r.data);
    else queue.push({ type: "error", message: `unexpected frame from the backend: ${r.error.issues[0]?.message ?? "invalid"}` });
    notify();
  });
  ws.on("close", () => {
    closed = true;
    notify();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (req, res) => {
      req.destroy();
      const status = res.statusCode ?? 0;
      const hint = status === 401 ? ` — ${unauthorizedHint(config)}` : "";
      reject(new CliError(`${path}: the backend refused the live view (HTTP ${status})${hint}`, { code: status === 401 ? "UNAUTHORIZED" : "HTTP_ERROR", status }));
    });
    ws.once("error", (err) => {
      failure = err;
      reject(new CliError(`cannot reach kanade-backend at ${config.baseUrl}: ${err.message}`, { code: "NETWORK", cause: err }));
    });
  });
  async function* frames(): AsyncGenerator<PerfFrame> {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (closed) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((r) => (wake = r));
    }
  }
  return { frames: frames(), close: () => ws.close() };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    return { type: "invalid", message: (err as Error).message };
  }
}
