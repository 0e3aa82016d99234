/**
 * Core `heartbeat.*` → `agents` table. Heartbeats are buffered briefly so 3,000 agents cost few transactions.
 * The subscription is in the backends' queue group: with several backends on one database, each heartbeat is
 * projected by one of them. Nothing needs every backend to hear every heartbeat: online state, presence
 * events, the agents list and the metrics read the agents table, and dynamic groups are evaluated from the
 * database by the backend that stored the heartbeat, and written to the shared KV.
 */
import { heartbeatSchema, subjects, type Heartbeat } from "@kanade/protocol";
import type { Logger } from "pino";
import type { AgentsStore } from "../agents/store.js";
import type { Nats } from "../nats.js";
import type { RunningProjector } from "./durable.js";

const FLUSH_MS = 250;
const FLUSH_MAX = 500;
/** The queue group every backend's heartbeat subscription joins (as enrollment and KLP requests do). */
export const HEARTBEAT_QUEUE = "kanade-backend";

/** Totals since start, for /metrics. */
export interface HeartbeatStats {
  /** Valid heartbeats this backend took from the broker (and wrote, newest per PC per batch). */
  received: number;
}

export interface RunningHeartbeatProjector extends RunningProjector {
  stats(): HeartbeatStats;
}

export function startHeartbeatProjector(deps: {
  nats: Nats;
  store: Pick<AgentsStore, "upsertAgents">;
  log: Logger;
  clock?: () => Date;
  /** After a batch is stored (dynamic groups re-evaluate PCs whose facts changed). */
  onStored?: (heartbeats: readonly Heartbeat[]) => void;
}): RunningHeartbeatProjector {
  const clock = deps.clock ?? ((): Date => new Date());
  const log = deps.log.child({ projector: "heartbeats" });
  // Keyed by pc_id: only the newest heartbeat of each agent in a window matters.
  let pending = new Map<string, Heartbeat>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let received = 0;

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return writing;
    const batch = [...pending.values()];
    pending = new Map();
    writing = writing
      .then(() => deps.store.upsertAgents(batch))
      .then(() => deps.onStored?.(batch))
      .catch((err: unknown) => log.error({ err, count: batch.length }, "cannot store heartbeats"));
    return writing;
  };

  const sub = deps.nats.nc.subscribe(subjects.heartbeatAll(), {
    queue: HEARTBEAT_QUEUE,
    callback: (err, msg) => {
      if (err) {
        log.warn({ err }, "heartbeat subscription error");
        return;
      }
      let value: unknown;
      try {
        value = msg.json<unknown>();
      } catch (e) {
        log.warn({ subject: msg.subject, err: e }, "dropping heartbeat that is not JSON");
        return;
      }
      const r = heartbeatSchema.safeParse(value);
      if (!r.success) {
        log.warn({ subject: msg.subject, problem: r.error.message }, "dropping invalid heartbeat");
        return;
      }
      if (msg.subject !== subjects.heartbeat(r.data.pc_id)) {
        log.warn({ subject: msg.subject, pc_id: r.data.pc_id }, "dropping heartbeat whose pc_id does not match its subject");
        return;
      }
      // last_seen is when the backend heard it, not the agent's `at`: a PC whose clock runs ahead would
      // otherwise look online forever and block later heartbeats; one whose clock lags would look offline.
      pending.set(r.data.pc_id, { ...r.data, at: clock().toISOString() });
      received++;
      if (pending.size >= FLUSH_MAX) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_MS);
    },
  });

  return {
    stats: () => ({ received }),
    stop: async () => {
      sub.unsubscribe();
      await flush();
    },
  };
}
