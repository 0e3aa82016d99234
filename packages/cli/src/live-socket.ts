/** Opens a backend WebSocket (perf live views) and yields validated `PerfFrame`s until it closes. */
import WebSocket from "ws";
import { z } from "zod";
import { hostPerfSchema, processPerfSchema, type PerfFrame } from "@kanade/protocol";
import type { ClientConfig } from "./client.js";
import { CliError } from "./errors.js";

const frameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("host_perf"), data: hostPerfSchema }),
  z.object({ type: z.literal("process_perf"), data: processPerfSchema }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);

export interface LiveSocket {
  /** Frames as they arrive; the iterator ends when the socket closes. */
  frames: AsyncIterable<PerfFrame>;
  close(): void;
}

export async function openLiveSocket(config: ClientConfig, path: string): Promise<LiveSocket> {
  const url = config.baseUrl.replace(/^http/, "ws") + path;
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
    const r = frameSchema.safeParse(safeJson(data.toString("utf8")));
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
      const hint = status === 401 ? " — set KANADE_AUTH_TOKEN to a valid token" : "";
      reject(new CliError(`${path}: the backend refused the live view (HTTP ${status})${hint}`, { code: status === 401 ? "UNAUTHORIZED" : `HTTP_${status}`, status }));
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
