/**
 * Host performance routes: history of one PC, its live stream (WebSocket), and the fleet's latest
 * samples (JSON and WebSocket). Frames are `PerfFrame` JSON text, one sample per frame.
 */
import websocket from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import { z } from "zod";
import { WS_BEARER_PROTOCOL_PREFIX, pcIdSchema, type HostPerf, type PerfFrame } from "@kanade/protocol";
import { SESSION_ENDED_CLOSE_CODE, watchSession } from "../auth.js";
import type { RouteDeps } from "../deps.js";
import type { PerfService } from "../perf/perf-service.js";
import { routeDef, serve } from "./route.js";

const pcParams = z.object({ pc: pcIdSchema });
const DEFAULT_HISTORY_MS = 60 * 60_000;
/** A viewer that cannot keep up misses frames instead of growing the backend's memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

function sendFrame(socket: WebSocket, text: string): void {
  if (socket.readyState === socket.OPEN && socket.bufferedAmount < MAX_BUFFERED_BYTES) socket.send(text);
}

/** Closes the socket, within about a second, once the viewer's login session ends; returns the stop function. */
function closeWhenSessionEnds(socket: WebSocket, req: FastifyRequest): () => void {
  return watchSession(req, () => {
    req.log.info({ actor: req.actor }, "login session ended; closing its perf socket");
    socket.close(SESSION_ENDED_CLOSE_CODE, "session ended; sign in again");
  });
}

/** Browsers cannot set headers on a WebSocket: they offer `bearer.<token>`, which must be echoed back. */
function handleProtocols(protocols: Set<string>): string | false {
  for (const p of protocols) if (p.startsWith(WS_BEARER_PROTOCOL_PREFIX)) return p;
  const [first] = protocols;
  return first ?? false;
}

export function perfRoutes(app: FastifyInstance, deps: RouteDeps, perf: PerfService): void {
  const framesOf = frameCache();
  // An upgrade refused before routing (401 from the auth hook) never reaches the websocket plugin's
  // own cleanup: close the socket here, or it lingers and blocks the server from closing.
  app.addHook("onResponse", async (req) => {
    if (req.headers.upgrade?.toLowerCase() === "websocket") req.raw.socket.destroy();
  });
  app.register(async (scope) => {
    await scope.register(websocket, { options: { handleProtocols } });

    serve(scope, "getAgentPerf", async ({ params, query }) => {
      const sinceMs = query.since ? Date.parse(query.since) : deps.clock().getTime() - DEFAULT_HISTORY_MS;
      return { items: await perf.ingest.since(params.pc, sinceMs, query.limit), next_cursor: null };
    });

    serve(scope, "getFleetPerf", async ({ query }) => ({
      items: perf.ingest.fleet(query.sort, query.limit),
      total: perf.ingest.fleetSize(),
      sort: query.sort,
      next_cursor: null,
    }));

    scope.get(routeDef("watchAgentPerf").path, { websocket: true }, (socket, req) => {
      const parsed = pcParams.safeParse(req.params);
      if (!parsed.success) {
        socket.send(JSON.stringify({ type: "error", message: "invalid pc_id" } satisfies PerfFrame));
        socket.close(1008, "invalid pc_id");
        return;
      }
      const pc = parsed.data.pc;
      req.log.info({ pc_id: pc, actor: req.actor }, "live perf viewer connected");
      const unwatch = perf.live.watch(pc, (frame) => sendFrame(socket, JSON.stringify(frame)));
      const unwatchSession = closeWhenSessionEnds(socket, req);
      socket.on("close", () => {
        unwatchSession();
        unwatch();
        req.log.info({ pc_id: pc }, "live perf viewer left");
      });
      socket.on("error", (err) => req.log.warn({ err, pc_id: pc }, "live perf socket error"));
    });

    scope.get(routeDef("watchFleetPerf").path, { websocket: true }, (socket, req) => {
      req.log.info({ actor: req.actor }, "fleet perf viewer connected");
      // A viewer scoped by permission groups gets only its PCs' samples (serialized for it alone).
      const scope = req.scope;
      const texts = (batch: readonly HostPerf[]): string[] =>
        scope ? batch.filter((p) => scope.has(p.pc_id)).map((data) => JSON.stringify({ type: "host_perf", data } satisfies PerfFrame)) : framesOf(batch);
      // Start with the current picture so a new viewer is not blank until the next batch.
      for (const text of texts(perf.ingest.fleet("cpu", 100_000))) sendFrame(socket, text);
      const off = perf.ingest.onFleet((batch) => {
        for (const text of texts(batch)) sendFrame(socket, text);
      });
      const unwatchSession = closeWhenSessionEnds(socket, req);
      socket.on("close", () => {
        unwatchSession();
        off();
      });
      socket.on("error", (err) => req.log.warn({ err }, "fleet perf socket error"));
    });
  });
}

/** Serializes each batch once however many viewers receive it. */
function frameCache(): (batch: readonly HostPerf[]) => string[] {
  const serialized = new WeakMap<readonly HostPerf[], string[]>();
  return (batch) => {
    let texts = serialized.get(batch);
    if (!texts) {
      texts = batch.map((data) => JSON.stringify({ type: "host_perf", data } satisfies PerfFrame));
      serialized.set(batch, texts);
    }
    return texts;
  };
}
