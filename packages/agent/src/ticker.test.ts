import { afterEach, describe, expect, it, vi } from "vitest";
import { Ticker } from "./ticker.js";

describe("Ticker", () => {
  afterEach(() => vi.useRealTimers());

  it("ticks at its period and re-times at once when the period changes", () => {
    vi.useFakeTimers();
    let n = 0;
    const t = new Ticker(30_000, () => n++);
    t.start();
    vi.advanceTimersByTime(29_000);
    expect(n).toBe(0);
    t.setPeriod(1_000);
    vi.advanceTimersByTime(1_000);
    expect(n).toBe(1);
    vi.advanceTimersByTime(3_000);
    expect(n).toBe(4);
    t.stop();
    vi.advanceTimersByTime(10_000);
    expect(n).toBe(4);
  });
});
