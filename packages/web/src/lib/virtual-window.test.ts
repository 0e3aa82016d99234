import { describe, expect, it } from "vitest";
import { rowWindow } from "./virtual-window.js";

describe("rowWindow", () => {
  it("renders the top rows plus overscan at scroll 0", () => {
    expect(rowWindow({ scrollTop: 0, viewportHeight: 300, rowHeight: 30, count: 10_000, overscan: 5 })).toEqual({
      start: 0,
      end: 16,
      offsetTop: 0,
      totalHeight: 300_000,
    });
  });
  it("follows the scroll position and keeps the spacer aligned", () => {
    const w = rowWindow({ scrollTop: 3000, viewportHeight: 300, rowHeight: 30, count: 10_000, overscan: 5 });
    expect(w.start).toBe(95);
    expect(w.end).toBe(116);
    expect(w.offsetTop).toBe(95 * 30);
  });
  it("never runs past the last row, even when over-scrolled", () => {
    const w = rowWindow({ scrollTop: 1e9, viewportHeight: 300, rowHeight: 30, count: 100, overscan: 5 });
    expect(w.end).toBe(100);
    expect(w.start).toBeLessThan(90);
  });
  it("handles short and empty lists", () => {
    expect(rowWindow({ scrollTop: 0, viewportHeight: 600, rowHeight: 30, count: 3 })).toMatchObject({ start: 0, end: 3 });
    expect(rowWindow({ scrollTop: 0, viewportHeight: 600, rowHeight: 30, count: 0 })).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });
});
