import { describe, expect, it } from "vitest";
import { OutputRing } from "./output-ring.js";

describe("OutputRing", () => {
  it("answers what came after an offset, and the offset to ask from next", () => {
    const r = new OutputRing(1024);
    r.push(Buffer.from("line 1\n"));
    expect(r.read(0, 1000)).toEqual({ from: 0, next: 7, skipped: 0, text: "line 1\n" });
    r.push(Buffer.from("line 2\n"));
    expect(r.read(7, 1000)).toEqual({ from: 7, next: 14, skipped: 0, text: "line 2\n" });
    expect(r.read(14, 1000)).toEqual({ from: 14, next: 14, skipped: 0, text: "" });
  });

  it("keeps only the newest bytes and says how many a slow follower missed", () => {
    const r = new OutputRing(10);
    for (let i = 0; i < 10; i++) r.push(Buffer.from(`chunk-${i}\n`)); // 8 bytes each, 80 in all
    const t = r.read(0, 1000);
    expect(t.next).toBe(80);
    expect(t.skipped).toBe(t.from);
    expect(t.from).toBeGreaterThanOrEqual(64);
    expect(t.text.endsWith("chunk-9\n")).toBe(true);
  });

  it("never splits a UTF-8 character: a half-written one waits, a gap skips to the next whole one", () => {
    const r = new OutputRing(1024);
    const kana = Buffer.from("かな"); // 3 bytes each
    r.push(kana.subarray(0, 4));
    expect(r.read(0, 1000)).toEqual({ from: 0, next: 3, skipped: 0, text: "か" });
    r.push(kana.subarray(4));
    expect(r.read(3, 1000)).toEqual({ from: 3, next: 6, skipped: 0, text: "な" });
    // The write that held the start of "な" fell out of a small ring: its last two bytes are skipped.
    const small = new OutputRing(4);
    small.push(kana.subarray(0, 4));
    small.push(Buffer.concat([kana.subarray(4), Buffer.from("xyz")]));
    expect(small.read(0, 1000)).toEqual({ from: 6, next: 9, skipped: 6, text: "xyz" });
  });
});
