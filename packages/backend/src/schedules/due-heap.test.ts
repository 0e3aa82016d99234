import { describe, expect, it } from "vitest";
import { DueHeap } from "./due-heap.js";

describe("DueHeap", () => {
  it("gives the keys due at an instant, earliest first, each once", () => {
    const h = new DueHeap<string>();
    h.set("c", 30);
    h.set("a", 10);
    h.set("b", 20);
    h.set("never", Number.POSITIVE_INFINITY);
    expect(h.peek()).toBe(10);
    expect(h.popDue(25)).toEqual(["a", "b"]);
    expect(h.popDue(25)).toEqual([]);
    expect(h.peek()).toBe(30);
    expect(h.size).toBe(4); // taken keys stay known, due never until set again
    expect(h.get("a")).toBe(Number.POSITIVE_INFINITY);
  });

  it("a moved key is due at its new time only; a deleted key never", () => {
    const h = new DueHeap<string>();
    h.set("a", 10);
    h.set("b", 15);
    h.set("a", 50);
    h.delete("b");
    expect(h.popDue(40)).toEqual([]);
    expect(h.peek()).toBe(50);
    h.set("a", 5);
    expect(h.popDue(40)).toEqual(["a"]);
    expect(h.peek()).toBe(Number.POSITIVE_INFINITY);
  });

  it("stays ordered through many moves (old entries are dropped, the heap rebuilt)", () => {
    const h = new DueHeap<number>();
    const want = new Map<number, number>();
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % 10_000;
    for (let i = 0; i < 5_000; i++) {
      const key = rnd() % 300;
      const at = rnd();
      h.set(key, at);
      want.set(key, at);
    }
    const due = h.popDue(5_000);
    const expected = [...want].filter(([, at]) => at <= 5_000).sort((x, y) => x[1] - y[1]);
    expect(due.map((k) => want.get(k))).toEqual(expected.map(([, at]) => at));
    expect(new Set(due)).toEqual(new Set(expected.map(([k]) => k)));
  });
});
