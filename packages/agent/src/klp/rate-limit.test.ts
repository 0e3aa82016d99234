import { describe, expect, it } from "vitest";
import { RateWindow } from "./rate-limit.js";

describe("RateWindow", () => {
  it("allows 60 a minute, refuses the 61st, and allows again once the oldest leaves the window", () => {
    let now = 1_000_000;
    const w = new RateWindow(60, 60_000, () => now);
    for (let i = 0; i < 60; i++) {
      expect(w.take()).toBe(true);
      now += 100;
    }
    expect(w.take()).toBe(false);
    now = 1_000_000 + 60_000;
    expect(w.take()).toBe(true);
    expect(w.take()).toBe(false);
  });
});
