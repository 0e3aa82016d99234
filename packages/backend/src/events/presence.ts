/**
 * Online/offline as timeline events, inferred from heartbeats (agents/online.ts): each tick compares every
 * agent's state with the one last recorded in `agent_presence` and records a transition once, with its
 * event, in one step. The recorded state survives a backend restart, so a restart records nothing twice;
 * and for one heartbeat window after the start no PC is judged offline, since nobody heard heartbeats while the backend was down.
 */
import { createHash } from "node:crypto";
import type { TimelineEvent } from "@kanade/protocol";
import type { Logger } from "pino";
import { onlineWindowMs } from "../agents/heartbeat-interval.js";
import type { AgentRecord } from "../agents/store.js";
import type { PresenceCandidates } from "./presence-candidates.js";
import type { EventsStore, PresenceRecord } from "./store.js";

export const DEFAULT_PRESENCE_TICK_MS = 15_000;

const eventId = (...parts: string[]): string => createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);

export interface PresenceDeps {
  store: Pick<EventsStore, "recordTransitions">;
  /** The PCs whose state may differ from the one recorded, with what is recorded for them (presence-candidates.ts). */
  candidates: (now: Date) => Promise<PresenceCandidates>;
  clock: () => Date;
  log: Logger;
}

/** The transitions between what was recorded and what the heartbeats say now (pure). */
export function presenceChanges(
  agents: readonly Pick<AgentRecord, "pc_id" | "last_seen" | "heartbeat_interval_secs">[],
  recorded: ReadonlyMap<string, PresenceRecord>,
  now: Date,
  startedAt: Date,
): { presence: PresenceRecord; event?: TimelineEvent }[] {
  const changes: { presence: PresenceRecord; event?: TimelineEvent }[] = [];
  const at = now.toISOString();
  for (const a of agents) {
    const windowMs = onlineWindowMs(a.heartbeat_interval_secs);
    const online = now.getTime() - Date.parse(a.last_seen) <= windowMs;
    // No heartbeat yet, but the backend itself has not listened for a whole window: not known yet.
    if (!online && now.getTime() - startedAt.getTime() <= windowMs) continue;
    const prev = recorded.get(a.pc_id);
    if (prev && prev.online === online) continue;
    const base = { pc_id: a.pc_id, received_at: at, source: "backend" };
    if (online) {
      const event: TimelineEvent = { ...base, event_id: eventId(a.pc_id, "agent_online", prev?.changed_at ?? "first"), kind: "agent_online", at: new Date(Date.parse(a.last_seen)).toISOString() };
      changes.push({ presence: { pc_id: a.pc_id, online, changed_at: at }, event });
    } else if (prev) {
      // Offline since the window after its last heartbeat ran out.
      const since = new Date(Date.parse(a.last_seen) + windowMs).toISOString();
      const event: TimelineEvent = { ...base, event_id: eventId(a.pc_id, "agent_offline", a.last_seen), kind: "agent_offline", at: since, message: `no heartbeat since ${new Date(Date.parse(a.last_seen)).toISOString()}` };
      changes.push({ presence: { pc_id: a.pc_id, online, changed_at: at }, event });
    } else {
      // First seen already offline: nothing changed that anyone saw.
      changes.push({ presence: { pc_id: a.pc_id, online, changed_at: at } });
    }
  }
  return changes;
}

export function startPresenceTracker(deps: PresenceDeps, tickMs = DEFAULT_PRESENCE_TICK_MS): { tick(): Promise<void>; stop(): Promise<void> } {
  const startedAt = deps.clock();
  let running: Promise<void> | undefined;
  const tick = (): Promise<void> => {
    running ??= (async () => {
      const now = deps.clock();
      const { agents, recorded } = await deps.candidates(now);
      const changes = presenceChanges(agents, recorded, now, startedAt);
      await deps.store.recordTransitions(changes);
      for (const c of changes) if (c.event) deps.log.info({ pc_id: c.presence.pc_id, kind: c.event.kind }, "agent presence changed");
    })()
      .catch((err: unknown) => deps.log.error({ err }, "cannot record agent presence"))
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void tick(), tickMs);
  void tick();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
