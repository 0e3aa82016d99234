import { describe, expect, it } from "vitest";
import { charBoundary, OutputCapture } from "./capture.js";

describe("OutputCapture", () => {
  it("joins multi-byte characters split across chunks", () => {
    const bytes = Buffer.from("日本語", "utf8");
    const c = new OutputCapture(1024);
    for (const b of bytes) c.push(Buffer.from([b]));
    expect(c.result()).toEqual({ text: "日本語", truncated: false, totalBytes: 9 });
  });

  it("keeps only the head up to the cap, counts the rest and flags truncation", () => {
    const c = new OutputCapture(10);
    c.push(Buffer.from("0123456789abc"));
    c.push(Buffer.from("def"));
    expect(c.result()).toEqual({ text: "0123456789", truncated: true, totalBytes: 16 });
  });

  it("cuts at a character boundary instead of leaving half a character", () => {
    const c = new OutputCapture(7); // "日本" is 6 bytes; the 7th is the first byte of 語
    c.push(Buffer.from("日本語", "utf8"));
    const r = c.result();
    expect(r.text).toBe("日本");
    expect(r.truncated).toBe(true);
  });
});

describe("charBoundary", () => {
  const bytes = Buffer.from("a日", "utf8"); // 61 e6 97 a5
  it("keeps complete sequences", () => {
    expect(charBoundary(bytes, 4)).toBe(4);
    expect(charBoundary(bytes, 1)).toBe(1);
  });
  it("backs off over a partial sequence", () => {
    expect(charBoundary(bytes, 2)).toBe(1);
    expect(charBoundary(bytes, 3)).toBe(1);
  });
});
