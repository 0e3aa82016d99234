import { describe, expect, it } from "vitest";
import { formatFact } from "./fact-format.js";

describe("formatFact", () => {
  it("shows sizes in units and times in local time, not raw bytes and UTC stamps", () => {
    expect(formatFact("ram_bytes", 17179869184)).toBe("16.0 GiB");
    expect(formatFact("free_bytes", 512)).toBe("512 B");
    expect(formatFact("size", 512)).toBe("512");
    const at = "2026-01-01T12:00:00.000Z";
    expect(formatFact("boot_time", at, "en-US")).toBe(new Date(at).toLocaleString("en-US"));
    expect(formatFact("x", { a: 1 })).toBe('{"a":1}');
    expect(formatFact("x", null)).toBe("—");
  });
});
