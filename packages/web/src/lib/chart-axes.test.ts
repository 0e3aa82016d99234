import { describe, expect, it } from "vitest";
import { binaryIncrements, timeTickFormat, TIME_INCREMENTS } from "./chart-axes.js";

describe("chart axes", () => {
  it("labels time ticks as a local clock, with seconds only below a minute", () => {
    const tick = timeTickFormat("en-GB");
    const at = new Date(2026, 0, 1, 14, 5, 30).getTime() / 1000;
    expect(tick(at, 60)).toBe("14:05");
    expect(tick(at, 15)).toBe("14:05:30");
    expect(TIME_INCREMENTS[0]).toBe(1);
  });
  it("steps byte axes by powers of two", () => {
    const incrs = binaryIncrements();
    expect(incrs).toContain(512 * 1024);
    expect(incrs).toContain(1024 ** 2);
    expect([...incrs].sort((a, b) => a - b)).toEqual(incrs);
  });
});
