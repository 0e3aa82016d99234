import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "../db/handle.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../db/migrations.js";
import { openAccountStore, type AccountStore } from "./account-store.js";

describe("account store", () => {
  let db: SqlDatabase;
  let store: AccountStore;
  const a = { password_hash: "h", role: "viewer" as const, must_change_password: false };
  beforeEach(() => {
    db = openTestDatabase();
    migrate(db);
    store = openAccountStore(db);
  });
  afterEach(() => db.close());

  it("treats usernames the same whatever their case and gives every account its own id", async () => {
    expect(await store.createAccount({ ...a, username: "Alice" }, "2026-01-01T00:00:00.000Z")).toBe(true);
    expect(await store.createAccount({ ...a, username: "alice" }, "2026-01-01T00:00:00.000Z")).toBe(false);
    const alice = await store.getAccount("ALICE");
    expect(alice?.username).toBe("Alice");
    expect((await store.getAccountById(alice!.account_id))?.username).toBe("Alice");
    expect(await store.updateAccount("aLiCe", { role: "operator" }, "2026-01-01T00:01:00.000Z")).toBe(true);
    expect(await store.deleteAccount("alice")).toBe(true);
    expect(await store.createAccount({ ...a, username: "alice" }, "2026-01-01T00:02:00.000Z")).toBe(true);
    // The same name again is a different account: nothing that belonged to the old id carries over.
    expect((await store.getAccount("alice"))?.account_id).not.toBe(alice!.account_id);
  });

  // SQLite only: case-only twins predate PostgreSQL support, so a PostgreSQL database never holds any.
  it("migrates a database whose names differ only in case: the older account keeps the name, the twin is renamed and disabled", async () => {
    db.close();
    db = openTestDatabase("sqlite");
    migrate(db);
    store = openAccountStore(db);
    await store.createAccount({ ...a, username: "Alice" }, "2026-01-01T00:00:00.000Z");
    // Take the database back to before 007-sessions, when a case-only twin could be created.
    db.exec(`DROP TABLE sessions; DROP INDEX accounts_username_nocase; DROP INDEX accounts_account_id;
             ALTER TABLE accounts DROP COLUMN account_id; DELETE FROM schema_migrations WHERE id = '007-sessions';
             INSERT INTO accounts (username, password_hash, role, created_at, updated_at) VALUES ('alice', 'h', 'admin', 'x', 'x')`);
    expect(migrate(db)).toBe(1);
    const rows = db.prepare("SELECT username, disabled, account_id FROM accounts ORDER BY rowid").all() as { username: string; disabled: number; account_id: string }[];
    expect(rows.map((r) => [r.username, r.disabled])).toEqual([["Alice", 0], ["alice.dup2", 1]]);
    expect(new Set(rows.map((r) => r.account_id)).size).toBe(2);
    expect(rows.every((r) => /^[0-9a-f]{32}$/.test(r.account_id))).toBe(true);
  });
});
