/**
 * One page of `GET /api/agents?limit=`: keyset paging on pc_id (the primary key's index). SQL narrows each read
 * by key range, by the `agents_hide_after` cut-off and by a set of PCs (the caller's scope, a tag's PCs). Online
 * state, group and text search are tested here on the summaries of the rows read, so a page with one of those
 * filters reads successive key ranges until it is full — or until `budget` rows were read: then the page ends
 * early (it may be empty) with a cursor after the last row read, and the client goes on from there.
 */
import { KanadeError, type AgentSummary } from "@kanade/protocol";
import type { AgentPageQuery, AgentRecord } from "../agents/store.js";
import { decodeCursor, encodeCursor } from "../cursor.js";

/** Rows one call reads at most when filters are tested here (bounded work per call). */
export const SCAN_BUDGET = 10_000;
/** Rows per read when filters are tested here, so a sparse filter does not cost one query per few rows. */
const MIN_CHUNK = 1_000;
/** Marks the cursor as the agents list's, so another list's cursor is refused instead of read as a pc_id. */
const CURSOR_KIND = "agents";

export const agentsCursor = (pcId: string): string => encodeCursor({ at: CURSOR_KIND, id: pcId });

/** The pc_id a cursor continues after; a cursor this list did not give out → 400 naming `cursor`. */
export function afterCursor(cursor: string | undefined): string | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (key.at !== CURSOR_KIND || key.id === "") {
    throw new KanadeError("BAD_REQUEST", "cursor: not a cursor of the agents list", { details: [{ path: "cursor", message: "invalid cursor" }] });
  }
  return key.id;
}

export interface AgentsPageRequest {
  read: (q: AgentPageQuery) => Promise<AgentRecord[]>;
  summarize: (rows: readonly AgentRecord[]) => Promise<AgentSummary[]>;
  /** Filters SQL cannot test; absent when there are none (then one read of limit + 1 rows answers). */
  keep?: (a: AgentSummary) => boolean;
  limit: number;
  after?: string;
  /** What SQL narrows by, besides the key range. */
  sql: Omit<AgentPageQuery, "after" | "limit">;
  budget?: number;
}

export async function agentsPage(r: AgentsPageRequest): Promise<{ items: AgentSummary[]; next_cursor: string | null }> {
  const budget = Math.max(r.budget ?? SCAN_BUDGET, r.limit + 1);
  const chunk = r.keep ? Math.max(r.limit + 1, MIN_CHUNK) : r.limit + 1;
  const items: AgentSummary[] = [];
  let after = r.after;
  let read = 0;
  for (;;) {
    const want = Math.min(chunk, budget - read);
    const rows = await r.read({ ...r.sql, ...(after !== undefined ? { after } : {}), limit: want });
    read += rows.length;
    for (const a of await r.summarize(rows)) {
      if (r.keep && !r.keep(a)) continue;
      items.push(a);
      // One more than the page: there is a next page, and it starts after the page's last row.
      if (items.length > r.limit) return { items: items.slice(0, r.limit), next_cursor: agentsCursor(items[r.limit - 1]!.pc_id) };
    }
    if (rows.length < want) return { items, next_cursor: null };
    after = rows[rows.length - 1]!.pc_id;
    if (read >= budget) return { items, next_cursor: agentsCursor(after) };
  }
}
