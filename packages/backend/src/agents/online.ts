/** Whether an agent is online: a heartbeat within 3× the interval it reported. */
import { DEFAULT_HEARTBEAT_SECS, onlineWindowMs } from "./heartbeat-interval.js";
import type { AgentRecord } from "./store.js";

export { DEFAULT_HEARTBEAT_SECS };

export function isOnline(a: Pick<AgentRecord, "last_seen" | "heartbeat_interval_secs">, now: Date): boolean {
  return now.getTime() - Date.parse(a.last_seen) <= onlineWindowMs(a.heartbeat_interval_secs);
}
