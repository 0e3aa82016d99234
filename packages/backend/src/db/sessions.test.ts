import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "./migrations.js";
import { openSessionStore, type SessionStore } from "./sessions.js";

describe("session store", () => {
  let db: Database.Database;
  let store: SessionStore;
  const add = (id: string, account: string, expires: string): void =>
    store.insert({ session_id: id, account_id: account, created_at: "2026-01-01T00:00:00.000Z", expires_at: expires });

  beforeEach(() => {
    db = new Database(":memory:");
    migrate(db);
    store = openSessionStore(db);
  });
  afterEach(() => db.close());

  it("ends one session, all of an account's sessions, and prunes expired rows", () => {
    add("s1", "acc-a", "2026-01-01T02:00:00.000Z");
    add("s2", "acc-a", "2026-01-01T02:00:00.000Z");
    add("s3", "acc-b", "2026-01-01T00:30:00.000Z");
    expect(store.end("s1")).toBe(true);
    expect(store.end("s1")).toBe(false);
    expect(store.get("s1")).toBeUndefined();
    expect(store.prune("2026-01-01T01:00:00.000Z")).toBe(1);
    expect(store.get("s3")).toBeUndefined();
    expect(store.endAccount("acc-a")).toBe(1);
    expect(store.countAccount("acc-a")).toBe(0);
  });

  it("records when a session was last used", () => {
    add("s1", "acc-a", "2026-01-01T02:00:00.000Z");
    expect(store.get("s1")?.last_used_at).toBeNull();
    store.touch("s1", "2026-01-01T00:10:00.000Z");
    expect(store.get("s1")?.last_used_at).toBe("2026-01-01T00:10:00.000Z");
  });
});
