/** Whether an agent is online: a heartbeat within 3× the interval it reported. */
import { DEFAULT_HEARTBEAT_SECS } from "./heartbeat-interval.js";
import type { AgentRecord } from "./store.js";

export { DEFAULT_HEARTBEAT_SECS };

export function isOnline(a: Pick<AgentRecord, "last_seen" | "heartbeat_interval_secs">, now: Date): boolean {
  const interval = a.heartbeat_interval_secs ?? DEFAULT_HEARTBEAT_SECS;
  return now.getTime() - Date.parse(a.last_seen) <= 3 * interval * 1000;
}
