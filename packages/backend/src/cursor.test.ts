import { describe, expect, it } from "vitest";
import { KanadeError } from "@kanade/protocol";
import { decodeCursor, encodeCursor, page } from "./cursor.js";

describe("cursors", () => {
  it("round-trips a page key and refuses garbage with BAD_REQUEST", () => {
    const key = { at: "2026-01-01T00:00:00.000Z", id: "abc" };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(() => decodeCursor("not-a-cursor")).toThrow(KanadeError);
  });

  it("gives a next_cursor only when there is more", () => {
    const rows = [1, 2, 3].map((n) => ({ at: `t${n}`, id: `${n}` }));
    expect(page(rows, 3, (r) => r).next_cursor).toBeNull();
    const p = page(rows, 2, (r) => r);
    expect(p.items).toHaveLength(2);
    expect(decodeCursor(p.next_cursor!)).toEqual({ at: "t2", id: "2" });
  });
});
