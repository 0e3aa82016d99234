import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "../db/handle.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../db/migrations.js";
import { openSessionStore, type SessionStore } from "./session-store.js";

describe("session store", () => {
  let db: SqlDatabase;
  let store: SessionStore;
  const add = (id: string, account: string, expires: string): Promise<void> =>
    store.insert({ session_id: id, account_id: account, created_at: "2026-01-01T00:00:00.000Z", expires_at: expires });

  beforeEach(() => {
    db = openTestDatabase();
    migrate(db);
    store = openSessionStore(db);
  });
  afterEach(() => db.close());

  it("ends one session, all of an account's sessions, and prunes expired rows", async () => {
    await add("s1", "acc-a", "2026-01-01T02:00:00.000Z");
    await add("s2", "acc-a", "2026-01-01T02:00:00.000Z");
    await add("s3", "acc-b", "2026-01-01T00:30:00.000Z");
    expect(await store.end("s1")).toBe(true);
    expect(await store.end("s1")).toBe(false);
    expect(await store.get("s1")).toBeUndefined();
    expect(await store.prune("2026-01-01T01:00:00.000Z")).toBe(1);
    expect(await store.get("s3")).toBeUndefined();
    expect(await store.endAccount("acc-a")).toBe(1);
    expect(await store.get("s2")).toBeUndefined();
  });

  it("records when a session was last used", async () => {
    await add("s1", "acc-a", "2026-01-01T02:00:00.000Z");
    expect((await store.get("s1"))?.last_used_at).toBeNull();
    await store.touch("s1", "2026-01-01T00:10:00.000Z");
    expect((await store.get("s1"))?.last_used_at).toBe("2026-01-01T00:10:00.000Z");
  });
});
