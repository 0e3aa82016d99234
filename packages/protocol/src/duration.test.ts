import { describe, expect, it } from "vitest";
import { formatDuration, parseDurationMs, parseDurationSecs } from "./duration.js";

describe("durations", () => {
  it("parses every unit and combinations", () => {
    expect(parseDurationMs("30s")).toBe(30_000);
    expect(parseDurationMs("5m")).toBe(300_000);
    expect(parseDurationMs("1h")).toBe(3_600_000);
    expect(parseDurationMs("2d")).toBe(172_800_000);
    expect(parseDurationMs("1h30m")).toBe(5_400_000);
    expect(parseDurationMs("250ms")).toBe(250);
    expect(parseDurationMs("0s")).toBe(0);
  });

  it("refuses text that is not a duration", () => {
    for (const bad of ["ten seconds", "30", "", "s", "-5s", "1.5h", "5 m", "banana"]) {
      expect(parseDurationMs(bad), bad).toBeUndefined();
    }
  });

  it("rounds sub-second timeouts up to whole seconds", () => {
    expect(parseDurationSecs("1500ms")).toBe(2);
    expect(parseDurationSecs("600s")).toBe(600);
  });

  it("formats compactly", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(0)).toBe("0ms");
    expect(formatDuration(3_600_000)).toBe("1h");
  });
});
