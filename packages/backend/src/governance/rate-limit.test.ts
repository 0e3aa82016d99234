import { describe, expect, it } from "vitest";
import { createRateLimiter } from "./rate-limit.js";

describe("login rate limiter", () => {
  it("blocks a key after max failures until the window passes, and forgets it on reset", () => {
    const rl = createRateLimiter({ max: 3, windowMs: 1_000 });
    for (const t of [0, 100, 200]) rl.fail("vera", t);
    expect(rl.retryAfterMs("vera", 300)).toBe(700);
    expect(rl.retryAfterMs("otto", 300)).toBe(0);
    expect(rl.retryAfterMs("vera", 1_000)).toBe(0);
    rl.fail("vera", 1_100);
    rl.reset("vera");
    expect(rl.retryAfterMs("vera", 1_100)).toBe(0);
  });
});
