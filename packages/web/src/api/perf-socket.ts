/**
 * Live perf WebSockets (`watchAgentPerf`, `watchFleetPerf` in the route table). The client gives the URL and
 * the `bearer.<token>` subprotocol (browsers cannot set headers on a WebSocket). Frames are checked against
 * the route's frame schema; the socket reconnects with backoff.
 */
import { apiRoutes, type ApiClient, type HostPerf, type PathParams, type PerfFrame, type ProcessPerf } from "@kanade/protocol";

export interface PerfHandlers {
  onHost(s: HostPerf): void;
  onProcess?(s: ProcessPerf): void;
  onState(state: "connecting" | "open" | "closed", detail?: string): void;
}

/** The live perf routes; both send `PerfFrame`s. */
export type PerfRoute = { route: "watchAgentPerf"; params: PathParams<"watchAgentPerf"> } | { route: "watchFleetPerf" };

/** One frame's text as a `PerfFrame`, or why it is not one. */
export function readPerfFrame(text: string): { frame: PerfFrame } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problem: `bad frame: ${(err as Error).message}` };
  }
  // Both routes share the frame schema; reading it from the table keeps the socket on the contract.
  const f = apiRoutes.watchAgentPerf.response.frame.safeParse(json);
  return f.success ? { frame: f.data } : { problem: `unexpected frame: ${f.error.issues[0]?.message ?? "invalid"}` };
}

const socketOf = (api: ApiClient, r: PerfRoute): { url: string; protocols: string[] } =>
  r.route === "watchAgentPerf" ? api.websocket("watchAgentPerf", r.params) : api.websocket("watchFleetPerf");

/** Opens the socket and keeps it open (backoff up to 10 s) until the returned function is called. */
export function openPerfSocket(api: ApiClient, route: PerfRoute, h: PerfHandlers): () => void {
  let ws: WebSocket | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delay = 500;
  const connect = (): void => {
    h.onState("connecting");
    // Asked again at every reconnect, so a new session's token is used.
    const { url, protocols } = socketOf(api, route);
    ws = new WebSocket(url, protocols);
    ws.onopen = () => {
      delay = 500;
      h.onState("open");
    };
    ws.onmessage = (ev: MessageEvent) => {
      const r = readPerfFrame(String(ev.data));
      if ("problem" in r) return h.onState("open", r.problem);
      const f = r.frame;
      if (f.type === "host_perf") h.onHost(f.data);
      else if (f.type === "process_perf") h.onProcess?.(f.data);
      else h.onState("open", f.message);
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
