import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "../db/handle.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../db/migrations.js";
import { openAuditLogStore, type AuditLogStore } from "./log-store.js";

describe("audit log store", () => {
  let db: SqlDatabase;
  let store: AuditLogStore;
  beforeEach(() => {
    db = openTestDatabase();
    migrate(db);
    store = openAuditLogStore(db);
  });
  afterEach(() => db.close());

  it("stores each audit event once and filters by prefix and time", async () => {
    const ev = (id: string, action: string, at: string) => ({ id, at, actor: "otto", action, target: "t", payload_summary: {}, source_ip: null });
    const events = [ev("a", "exec.create", "2026-01-01T00:00:00Z"), ev("b", "exec.kill", "2026-01-02T00:00:00Z"), ev("c", "job_create", "2026-01-03T00:00:00Z")];
    expect(await store.insertAudit(events)).toBe(3);
    expect(await store.insertAudit(events)).toBe(0);
    expect((await store.listAudit({ limit: 10, action: "exec.*" })).map((r) => r.id)).toEqual(["b", "a"]);
    // `_` is a LIKE wildcard; the prefix match must treat it literally.
    expect((await store.listAudit({ limit: 10, action: "job_*" })).map((r) => r.id)).toEqual(["c"]);
    expect((await store.listAudit({ limit: 10, since: "2026-01-02T00:00:00.000Z", until: "2026-01-03T00:00:00.000Z" })).map((r) => r.id)).toEqual(["b"]);
  });
});
