import { describe, expect, it } from "vitest";
import { hostPerfSchema } from "@kanade/protocol/wire";
import { fakeHostPerf } from "./fake-perf.js";

describe("fakeHostPerf", () => {
  it("is valid, deterministic and differs between PCs", () => {
    const at = new Date("2026-01-01T00:00:00Z");
    const a = fakeHostPerf("sim-0001", 3, at);
    expect(hostPerfSchema.parse(a)).toEqual(a);
    expect(fakeHostPerf("sim-0001", 3, at)).toEqual(a);
    expect(fakeHostPerf("sim-0002", 3, at)).not.toEqual(a);
    expect(a.cpu_pct).toBeGreaterThanOrEqual(0);
    expect(a.cpu_pct).toBeLessThanOrEqual(100);
    expect(a.mem_used_bytes).toBeLessThan(a.mem_total_bytes);
  });
});
