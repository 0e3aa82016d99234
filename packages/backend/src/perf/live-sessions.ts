/**
 * Live perf of one PC for WebSocket viewers. The first viewer of a PC opens a session: a lease request
 * to the agent (`agents.<pc>.perf.live`), renewed every third of the lease, and one `process_perf.<pc>`
 * subscription shared by all viewers. When the last viewer leaves, renewal stops and the agent stops
 * streaming when the lease runs out.
 */
import { perfLiveReplySchema, processPerfSchema, subjects, type PerfFrame, type PerfLiveRequest } from "@kanade/protocol";
import type { Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import type { Nats } from "../nats.js";
import { decodeJson } from "./decode.js";
import type { PerfIngest } from "./perf-ingest.js";

const REQUEST_TIMEOUT_MS = 5_000;

export type FrameSink = (frame: PerfFrame) => void;

interface Session {
  viewers: Set<FrameSink>;
  stopHost: () => void;
  processSub: Subscription;
  timer: NodeJS.Timeout | undefined;
  closed: boolean;
}

export interface LiveSessionsDeps {
  nats: Nats;
  ingest: PerfIngest;
  log: Logger;
  request: PerfLiveRequest;
}

export class PerfLiveSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly log: Logger;

  constructor(private readonly deps: LiveSessionsDeps) {
    this.log = deps.log.child({ component: "perf-live" });
  }

  /** Adds a viewer of `pcId`; returns the function that removes it. */
  watch(pcId: string, sink: FrameSink): () => void {
    let session = this.sessions.get(pcId);
    if (!session) {
      session = this.open(pcId);
      this.sessions.set(pcId, session);
    }
    session.viewers.add(sink);
    const s = session;
    return () => {
      s.viewers.delete(sink);
      if (s.viewers.size === 0) this.close(pcId, s);
    };
  }

  viewerCount(pcId: string): number {
    return this.sessions.get(pcId)?.viewers.size ?? 0;
  }

  stop(): void {
    for (const [pcId, s] of this.sessions) this.close(pcId, s);
  }

  private open(pcId: string): Session {
    const { nats, ingest } = this.deps;
    const broadcast = (frame: PerfFrame): void => {
      for (const v of session.viewers) v(frame);
    };
    const session: Session = {
      viewers: new Set(),
      stopHost: ingest.onPc(pcId, (data) => broadcast({ type: "host_perf", data })),
      processSub: nats.nc.subscribe(subjects.processPerf(pcId), {
        callback: (err, msg) => {
          if (err) return this.log.warn({ err, pc_id: pcId }, "process_perf subscription error");
          const data = decodeJson(processPerfSchema, msg.data, msg.subject, this.log);
          if (data && data.pc_id === pcId) broadcast({ type: "process_perf", data });
        },
      }),
      timer: undefined,
      closed: false,
    };
    this.log.info({ pc_id: pcId }, "live perf session opened");
    const renew = async (): Promise<void> => {
      if (session.closed) return;
      try {
        const msg = await nats.nc.request(subjects.agentPerfLive(pcId), JSON.stringify(this.deps.request), { timeout: REQUEST_TIMEOUT_MS });
        const reply = decodeJson(perfLiveReplySchema, msg.data, msg.subject, this.log);
        if (reply) this.log.debug({ pc_id: pcId, lease_until: reply.lease_until }, "live perf lease renewed");
      } catch (err) {
        this.log.info({ pc_id: pcId, err: (err as Error).message }, "agent did not take the live perf lease");
        broadcast({ type: "error", message: `no reply from ${pcId} in ${REQUEST_TIMEOUT_MS / 1000} s (agent offline?); still trying` });
      }
      if (!session.closed) session.timer = setTimeout(() => void renew(), Math.max(500, Math.floor(this.deps.request.lease_ms / 3)));
    };
    void renew();
    return session;
  }

  private close(pcId: string, s: Session): void {
    if (s.closed) return;
    s.closed = true;
    clearTimeout(s.timer);
    s.stopHost();
    s.processSub.unsubscribe();
    s.viewers.clear();
    this.sessions.delete(pcId);
    this.log.info({ pc_id: pcId }, "live perf session closed; the agent stops when its lease ends");
  }
}
