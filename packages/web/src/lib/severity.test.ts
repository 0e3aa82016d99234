import { describe, expect, it } from "vitest";
import { isStale, offlineSeverity, successSeverity } from "./severity.js";

describe("severity", () => {
  it("colours offline agents by their share of the fleet", () => {
    expect(offlineSeverity(0, 303)).toBe("ok");
    expect(offlineSeverity(12, 303)).toBe("warn");
    expect(offlineSeverity(300, 303)).toBe("bad");
    expect(offlineSeverity(0, 0)).toBe("neutral");
  });
  it("does not paint a 99.5 % success rate red", () => {
    expect(successSeverity(99.5)).toBe("ok");
    expect(successSeverity(95)).toBe("warn");
    expect(successSeverity(40)).toBe("bad");
    expect(successSeverity(null)).toBe("neutral");
  });
});

describe("isStale", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it("calls a sample stale when its PC is offline or it is old", () => {
    expect(isStale("2026-01-01T11:59:50Z", true, now)).toBe(false);
    expect(isStale("2026-01-01T11:59:50Z", false, now)).toBe(true);
    expect(isStale("2026-01-01T11:45:00Z", true, now)).toBe(true);
    expect(isStale(null, true, now)).toBe(true);
  });
});
