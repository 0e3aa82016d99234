import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "./migrations.js";
import { openGovernanceStore, type GovernanceStore } from "./governance.js";

describe("governance store: accounts and the audit log", () => {
  let db: Database.Database;
  let store: GovernanceStore;
  beforeEach(() => {
    db = new Database(":memory:");
    migrate(db);
    store = openGovernanceStore(db);
  });
  afterEach(() => db.close());

  it("treats usernames the same whatever their case and gives every account its own id", () => {
    const a = { password_hash: "h", role: "viewer" as const, must_change_password: false };
    expect(store.createAccount({ ...a, username: "Alice" }, "2026-01-01T00:00:00.000Z")).toBe(true);
    expect(store.createAccount({ ...a, username: "alice" }, "2026-01-01T00:00:00.000Z")).toBe(false);
    const alice = store.getAccount("ALICE");
    expect(alice?.username).toBe("Alice");
    expect(store.getAccountById(alice!.account_id)?.username).toBe("Alice");
    expect(store.updateAccount("aLiCe", { role: "operator" }, "2026-01-01T00:01:00.000Z")).toBe(true);
    expect(store.deleteAccount("alice")).toBe(true);
    expect(store.createAccount({ ...a, username: "alice" }, "2026-01-01T00:02:00.000Z")).toBe(true);
    // The same name again is a different account: nothing that belonged to the old id carries over.
    expect(store.getAccount("alice")?.account_id).not.toBe(alice!.account_id);
  });

  it("migrates a database whose names differ only in case: the older account keeps the name, the twin is renamed and disabled", () => {
    const a = { password_hash: "h", role: "viewer" as const, must_change_password: false };
    store.createAccount({ ...a, username: "Alice" }, "2026-01-01T00:00:00.000Z");
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

  it("stores each audit event once and filters by prefix and time", () => {
    const ev = (id: string, action: string, at: string) => ({ id, at, actor: "otto", action, target: "t", payload_summary: {}, source_ip: null });
    const events = [ev("a", "exec.create", "2026-01-01T00:00:00Z"), ev("b", "exec.kill", "2026-01-02T00:00:00Z"), ev("c", "job_create", "2026-01-03T00:00:00Z")];
    expect(store.insertAudit(events)).toBe(3);
    expect(store.insertAudit(events)).toBe(0);
    expect(store.listAudit({ limit: 10, action: "exec.*" }).map((r) => r.id)).toEqual(["b", "a"]);
    // `_` is a LIKE wildcard; the prefix match must treat it literally.
    expect(store.listAudit({ limit: 10, action: "job_*" }).map((r) => r.id)).toEqual(["c"]);
    expect(store.listAudit({ limit: 10, since: "2026-01-02T00:00:00.000Z", until: "2026-01-03T00:00:00.000Z" }).map((r) => r.id)).toEqual(["b"]);
  });
});
