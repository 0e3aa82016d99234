import { describe, expect, it } from "vitest";
import { allAgentsInRanges } from "./in-ranges.js";
import type { AgentPageQuery, AgentRecord } from "./store.js";

describe("allAgentsInRanges", () => {
  it("reads every agent once, in order, a range at a time", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `pc-${String(i).padStart(2, "0")}`);
    const reads: number[] = [];
    const store = {
      pageAgents: async (q: AgentPageQuery): Promise<AgentRecord[]> => {
        const out = ids.filter((id) => q.after === undefined || id > q.after).slice(0, q.limit);
        reads.push(out.length);
        return out.map((pc_id) => ({ pc_id }) as AgentRecord);
      },
    };
    expect((await allAgentsInRanges(store, 10)).map((a) => a.pc_id)).toEqual(ids);
    expect(reads).toEqual([10, 10, 5]);
    reads.length = 0;
    expect(await allAgentsInRanges({ pageAgents: async () => [] })).toEqual([]);
  });
});
