/**
 * Every agent, read one key range at a time with a turn of the event loop between ranges. The database handle
 * is synchronous, so one read of 50,000 agents would hold every other request for its whole length (about
 * half a second); in ranges, a request waits for one range at most. For periodic fleet-wide work (presence).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { AgentRecord, AgentsStore } from "./store.js";

export const RANGE_ROWS = 2_000;

export async function allAgentsInRanges(store: Pick<AgentsStore, "pageAgents">, rows = RANGE_ROWS): Promise<AgentRecord[]> {
  const out: AgentRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const range = await store.pageAgents({ limit: rows, ...(after !== undefined ? { after } : {}) });
    out.push(...range);
    if (range.length < rows) return out;
    after = range[range.length - 1]!.pc_id;
    await nextTurn();
  }
}
