import { describe, expect, it } from "vitest";
import { pageOfText } from "./paging.js";

describe("pageOfText", () => {
  const text = Array.from({ length: 25 }, (_, i) => `line ${i + 1} — 行`).join("\n") + "\n";
  it("returns one page of lines with its position", () => {
    const p = pageOfText(text, 1, 10);
    expect(p).toMatchObject({ page: 1, pages: 3, firstLine: 11, lastLine: 20, totalLines: 25 });
    expect(p.text.split("\n")[0]).toBe("line 11 — 行");
  });
  it("clamps out-of-range pages and handles empty output", () => {
    expect(pageOfText(text, 99, 10)).toMatchObject({ page: 2, firstLine: 21, lastLine: 25 });
    expect(pageOfText("", 0)).toMatchObject({ pages: 1, totalLines: 0, text: "" });
  });
});
