import { describe, expect, it } from "vitest";
import { ago, formatBytes, formatDuration, formatPct, formatRate, shortId } from "./format.js";

describe("format", () => {
  it("formats byte counts in binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(8 * 1024 ** 3)).toBe("8.0 GiB");
    expect(formatBytes(300 * 1024 ** 2)).toBe("300 MiB");
    expect(formatBytes(null)).toBe("—");
    expect(formatRate(2048)).toBe("2.0 KiB/s");
  });

  it("formats percentages and durations", () => {
    expect(formatPct(12.345, 1)).toBe("12.3%");
    expect(formatPct(undefined)).toBe("—");
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(2500)).toBe("2.5 s");
    expect(formatDuration(61_000)).toBe("1m 1s");
    expect(formatDuration(3_725_000)).toBe("1h 2m");
  });

  it("says how long ago a time was", () => {
    const now = new Date("2025-01-01T12:00:00Z");
    expect(ago("2025-01-01T11:59:30Z", now)).toEqual({ n: 30, unit: "s" });
    expect(ago("2025-01-01T11:00:00Z", now)).toEqual({ n: 1, unit: "h" });
    expect(ago("2024-12-29T12:00:00Z", now)).toEqual({ n: 3, unit: "d" });
    expect(ago(null, now)).toBeNull();
    expect(ago("not a time", now)).toBeNull();
  });

  it("shortens UUIDv7 ids to their random tail, so ids made in the same minute still differ", () => {
    const a = "01a22aaf-f36c-7009-a7e6-b0f3b932440f";
    const b = "01a22aaf-f36d-7111-9a10-0c5e77d1a2b3";
    expect(shortId(a)).toBe("b932440f");
    expect(shortId(a)).not.toBe(shortId(b));
  });
});
