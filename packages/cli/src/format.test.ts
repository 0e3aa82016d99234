import { describe, expect, it } from "vitest";
import { formatAgo, formatBytes, formatPct } from "./format.js";

describe("formatBytes", () => {
  it("prints sizes in binary units, whole bytes below 1 KiB", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1023.6)).toBe("1024 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50.0 MiB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GiB");
  });
  it("prints - for an unknown size", () => {
    expect(formatBytes(null)).toBe("-");
    expect(formatBytes(undefined)).toBe("-");
    expect(formatBytes(Number.NaN)).toBe("-");
  });
});

describe("formatAgo and formatPct", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it("says how long ago, rounded down", () => {
    expect(formatAgo("2026-01-01T11:59:48Z", now)).toBe("12s ago");
    expect(formatAgo("2026-01-01T11:54:30Z", now)).toBe("5m ago");
    expect(formatAgo("2026-01-01T09:00:00Z", now)).toBe("3h ago");
    expect(formatAgo("2025-12-30T12:00:00Z", now)).toBe("2d ago");
    expect(formatAgo(null, now)).toBe("never");
  });
  it("prints percentages with a decimal only below 10", () => {
    expect(formatPct(7.46)).toBe("7.5%");
    expect(formatPct(42.4)).toBe("42%");
    expect(formatPct(null)).toBe("-");
  });
});
