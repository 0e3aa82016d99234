import { readFileSync, writeFileSync } from "node:fs";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { NotificationNotice } from "@kanade/protocol/wire";
import { tempDir, type TempDir } from "@kanade/testkit";
import { NoticeBook } from "./book.js";

const log = pino({ level: "silent" });
let dir: TempDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

const T0 = Date.parse("2026-12-01T00:00:00Z");
const notice = (id: string, expiresInMs: number, createdAt = "2026-12-01T00:00:00Z"): NotificationNotice => ({
  kind: "notice", id, priority: "info", require_ack: true, title: id, body: "b", expires_at: new Date(T0 + expiresInMs).toISOString(),
  target: { all: true }, created_at: createdAt, created_by: "op",
});

function book(now: () => number): { book: NoticeBook; path: string } {
  dir ??= tempDir("kanade-book-");
  const path = dir.join("notifications.json");
  return { book: new NoticeBook(path, log, now), path };
}

describe("NoticeBook", () => {
  it("announces a notice once, however many subjects and replays bring it", () => {
    const { book: b } = book(() => T0);
    expect(b.apply(notice("a", 60_000))?.kind).toBe("new");
    expect(b.apply(notice("a", 60_000))).toBeUndefined();
    expect(b.visibleFor("uid:1").map((n) => n.id)).toEqual(["a"]);
  });

  it("keeps a withdrawn notice withdrawn, even when the withdrawal is read first or the notice replayed", () => {
    const { book: b } = book(() => T0);
    b.apply(notice("a", 60_000));
    expect(b.apply({ kind: "withdrawn", id: "a", withdrawn_at: "2026-12-01T00:00:01Z", withdrawn_by: "op" })).toEqual({ kind: "gone", id: "a", reason: "withdrawn" });
    expect(b.apply(notice("a", 60_000))).toBeUndefined();
    expect(b.apply({ kind: "withdrawn", id: "b", withdrawn_at: "2026-12-01T00:00:01Z", withdrawn_by: "op" })).toBeUndefined();
    expect(b.apply(notice("b", 60_000))).toBeUndefined();
    expect(b.visibleFor("uid:1")).toEqual([]);
    expect(b.isVisible("a")).toBe(false);
  });

  it("hides an expired notice, tells of the expiry once, and never announces one that arrives expired", () => {
    let now = T0;
    const { book: b } = book(() => now);
    b.apply(notice("soon", 1_000));
    expect(b.apply(notice("old", -1_000))).toBeUndefined();
    expect(b.visibleFor("u").map((n) => n.id)).toEqual(["soon"]);
    now += 2_000;
    expect(b.visibleFor("u")).toEqual([]);
    expect(b.sweep()).toEqual(["soon"]);
    expect(b.sweep()).toEqual([]);
  });

  it("records shown and acked per user once, keeps the first times, and reads them back after a restart", () => {
    let now = T0;
    const { book: b, path } = book(() => now);
    b.apply(notice("a", 60_000));
    expect(b.markShown("uid:1", ["a"], "t1")).toEqual(["a"]);
    expect(b.markShown("uid:1", ["a"], "t2")).toEqual([]);
    expect(b.markShown("uid:2", ["a"], "t3")).toEqual(["a"]);
    expect(b.ack("uid:1", "a", "t4")).toEqual({ acked_at: "t4", fresh: true });
    expect(b.ack("uid:1", "a", "t5")).toEqual({ acked_at: "t4", fresh: false });
    now += 1;
    const again = new NoticeBook(path, log, () => now);
    expect(again.visibleFor("uid:1")[0]?.acked_at).toBe("t4");
    expect(again.visibleFor("uid:2")[0]?.acked_at).toBeNull();
    expect(JSON.parse(readFileSync(path, "utf8")).users["uid:1"].a).toEqual({ shown_at: "t1", acked_at: "t4" });
  });

  it("starts empty from a state file it cannot read", () => {
    const { book: b, path } = book(() => T0);
    b.apply(notice("a", 60_000));
    writeFileSync(path, "{not json");
    const fresh = new NoticeBook(path, log, () => T0);
    expect(fresh.visibleFor("u")).toEqual([]);
    // The stream brings the notice back.
    expect(fresh.apply(notice("a", 60_000))?.kind).toBe("new");
  });
});
