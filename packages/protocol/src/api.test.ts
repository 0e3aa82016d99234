import { describe, expect, it } from "vitest";
import { execRequestSchema } from "./api.js";
import { MAX_TIMER_MS } from "./duration.js";

describe("exec request", () => {
  it("caps the jitter at 24d, below Node's setTimeout limit", () => {
    expect(MAX_TIMER_MS).toBeLessThan(2 ** 31 - 1);
    expect(execRequestSchema.safeParse({ all: true, jitter: "24d" }).success).toBe(true);
    const r = execRequestSchema.safeParse({ all: true, jitter: "30d" });
    expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["jitter: must be at most 24d"]);
    expect(execRequestSchema.safeParse({ all: true, jitter: "soon" }).error?.issues[0]?.message).toBe("expected a duration like 30s, 5m, 1h");
  });
});
