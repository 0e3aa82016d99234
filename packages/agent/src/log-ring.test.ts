import { describe, expect, it } from "vitest";
import { LogRing } from "./log-ring.js";
import { nextInventoryDelayMs } from "./inventory/reporter.js";

describe("LogRing", () => {
  it("keeps the newest lines and trims a tail to a byte budget from the oldest side", () => {
    const ring = new LogRing(3);
    ring.write('{"n":1}\n{"n":2}\n');
    ring.write('{"n":3}\n');
    ring.write('{"n":4}\n');
    expect(ring.tail(10)).toEqual({ lines: ['{"n":2}', '{"n":3}', '{"n":4}'], truncated: false });
    expect(ring.tail(2)).toEqual({ lines: ['{"n":3}', '{"n":4}'], truncated: false });
    expect(ring.tail(3, 20)).toEqual({ lines: ['{"n":3}', '{"n":4}'], truncated: true });
  });
});

describe("inventory schedule", () => {
  it("waits the interval plus a random share of the jitter", () => {
    const s = { inventory_interval: "24h", inventory_jitter: "10m", inventory_enabled: true };
    expect(nextInventoryDelayMs(s, () => 0)).toBe(86_400_000);
    expect(nextInventoryDelayMs(s, () => 0.5)).toBe(86_400_000 + 300_000);
  });
});
