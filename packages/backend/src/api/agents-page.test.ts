import { describe, expect, it } from "vitest";
import type { AgentSummary } from "@kanade/protocol";
import type { AgentPageQuery, AgentRecord } from "../agents/store.js";
import { afterCursor, agentsCursor, agentsPage } from "./agents-page.js";

const ids = Array.from({ length: 100 }, (_, i) => `pc-${String(i).padStart(3, "0")}`);

/** A keyset read over `ids` that counts the rows it hands out. */
function table(): { read: (q: AgentPageQuery) => Promise<AgentRecord[]>; rows: () => number } {
  let rows = 0;
  return {
    read: async (q) => {
      const out = ids.filter((id) => q.after === undefined || id > q.after).slice(0, q.limit);
      rows += out.length;
      return out.map((pc_id) => ({ pc_id }) as AgentRecord);
    },
    rows: () => rows,
  };
}
const summarize = async (rows: readonly AgentRecord[]): Promise<AgentSummary[]> => rows.map((r) => ({ pc_id: r.pc_id }) as AgentSummary);

describe("agentsPage", () => {
  it("reads successive key ranges for a sparse filter, at most `budget` rows a call, and the walk still finds each match once", async () => {
    const keep = (a: AgentSummary): boolean => a.pc_id.endsWith("7");
    const t = table();
    const found: string[] = [];
    let after: string | undefined;
    let calls = 0;
    for (;;) {
      const before = t.rows();
      const page = await agentsPage({ read: t.read, summarize, keep, limit: 3, budget: 25, sql: {}, ...(after !== undefined ? { after } : {}) });
      calls++;
      expect(t.rows() - before).toBeLessThanOrEqual(25);
      expect(page.items.length).toBeLessThanOrEqual(3);
      found.push(...page.items.map((a) => a.pc_id));
      if (page.next_cursor === null) break;
      after = afterCursor(page.next_cursor);
    }
    expect(found).toEqual(ids.filter((id) => id.endsWith("7")));
    expect(calls).toBeGreaterThan(4);
  });

  it("reads one page and one row more when nothing is filtered here", async () => {
    const t = table();
    const page = await agentsPage({ read: t.read, summarize, limit: 10, sql: {}, after: "pc-089" });
    expect(page.items.map((a) => a.pc_id)).toEqual(ids.slice(90));
    expect(page.next_cursor).toBeNull();
    expect(t.rows()).toBe(10);
    const first = await agentsPage({ read: t.read, summarize, limit: 10, sql: {} });
    expect(afterCursor(first.next_cursor!)).toBe("pc-009");
  });

  it("refuses a cursor that is not the agents list's", () => {
    expect(afterCursor(agentsCursor("pc-001"))).toBe("pc-001");
    expect(afterCursor(undefined)).toBeUndefined();
    for (const bad of ["nope", Buffer.from('["2026-01-01T00:00:00Z","e1"]').toString("base64url"), agentsCursor("")]) {
      expect(() => afterCursor(bad), bad).toThrow(/^cursor: /);
    }
  });
});
