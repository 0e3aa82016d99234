/**
 * Live perf WebSockets (`/api/agents/{pc}/perf/live`, `/api/perf/fleet/live`). Browsers cannot set headers on
 * a WebSocket, so the token travels as the subprotocol `bearer.<token>`. Frames are validated; it reconnects.
 */
import { hostPerfSchema, processPerfSchema, type HostPerf, type ProcessPerf } from "@kanade/protocol";
import { z } from "zod";

const frameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("host_perf"), data: hostPerfSchema }),
  z.object({ type: z.literal("process_perf"), data: processPerfSchema }),
  z.object({ type: z.literal("error"), message: z.string() }),
]);

export interface PerfHandlers {
  onHost(s: HostPerf): void;
  onProcess?(s: ProcessPerf): void;
  onState(state: "connecting" | "open" | "closed", detail?: string): void;
}

export function perfSocketUrl(path: string, loc: { protocol: string; host: string }): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

/** Opens the socket and keeps it open (backoff up to 10 s) until the returned function is called. */
export function openPerfSocket(path: string, token: string | null, h: PerfHandlers): () => void {
  let ws: WebSocket | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delay = 500;
  const connect = (): void => {
    h.onState("connecting");
    ws = new WebSocket(perfSocketUrl(path, window.location), token ? [`bearer.${token}`] : []);
    ws.onopen = () => {
      delay = 500;
      h.onState("open");
    };
    ws.onmessage = (ev: MessageEvent) => {
      let json: unknown;
      try {
        json = JSON.parse(String(ev.data));
      } catch (err) {
        h.onState("open", `bad frame: ${(err as Error).message}`);
        return;
      }
      const f = frameSchema.safeParse(json);
      if (!f.success) return h.onState("open", "unexpected frame");
      if (f.data.type === "host_perf") h.onHost(f.data.data);
      else if (f.data.type === "process_perf") h.onProcess?.(f.data.data);
      else h.onState("open", f.data.message);
    };
    ws.onclose = (ev: CloseEvent) => {
      h.onState("closed", ev.reason || `code ${ev.code}`);
      if (stopped) return;
      retry = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    ws?.close();
  };
}
