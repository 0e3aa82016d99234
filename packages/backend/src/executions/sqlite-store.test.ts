import { openTestDatabase } from "@kanade/testkit";
import type { SqlDatabase } from "../db/handle.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditRecord } from "@kanade/protocol";
import { migrate } from "../db/migrations.js";
import { openExecutionsStore } from "./sqlite-store.js";
import type { ExecutionsStore } from "./store.js";
import type { ExecutionRecord } from "./types.js";

const audit = (id: string, action: string): AuditRecord => ({ id, at: "2026-01-01T00:00:00.000Z", actor: "otto", action, target: "t", payload_summary: {}, source_ip: null });
const exec = (id: string, state: ExecutionRecord["state"]): ExecutionRecord => ({
  exec_id: id,
  job_id: "j",
  version: "1.0.0",
  state,
  target: { pcs: ["pc-1"] },
  target_count: 1,
  created_at: "2026-01-01T00:00:00.000Z",
  issued_by: "otto",
  killed_at: null,
  manifest_digest: "d".repeat(64),
  state_reason: null,
});

describe("executions store", () => {
  let db: SqlDatabase;
  let store: ExecutionsStore;
  const outbox = (): string[] => (db.prepare("SELECT event FROM audit_outbox ORDER BY id").pluck().all() as string[]).map((e) => (JSON.parse(e) as { action: string }).action);
  const pending = async (id: string, expiresAt: string): Promise<void> => {
    await store.create({
      execution: exec(id, "pending_approval"),
      targets: ["pc-1"],
      approval: {
        exec_id: id,
        requested_by: "otto",
        request: { pcs: ["pc-1"] },
        manifest: { id: "j", version: "1.0.0", execute: { shell: "sh", script: "echo", timeout: "60s", run_as: "system" }, require_approval: true, staleness: { mode: "cached" } },
        manifest_digest: "d".repeat(64),
        script_sha256: null,
        expires_at: expiresAt,
      },
      audit: audit(`a-${id}`, "exec.request_approval"),
    });
  };

  beforeEach(() => {
    db = openTestDatabase();
    migrate(db);
    store = openExecutionsStore(db);
  });
  afterEach(() => db.close());

  it("commits the execution, its targets, its intent and its audit record together", async () => {
    const e = exec("e0", "running");
    await store.create({
      execution: e,
      targets: ["pc-1", "pc-2"],
      intent: { kind: "publish", exec_id: "e0", created_at: e.created_at, job_id: "j", version: "1.0.0", target: e.target, plans: [] },
      audit: audit("a0", "exec.create"),
    });
    expect(await store.get("e0")).toEqual(e);
    expect((await store.counts("e0")).pending).toBe(2);
    expect((await store.intents()).map((i) => i.kind)).toEqual(["publish"]);
    expect(outbox()).toEqual(["exec.create"]);
    // A failing audit insert (duplicate id) rolls the whole step back.
    await expect(store.create({ execution: exec("e1", "running"), targets: ["pc-1"], audit: audit("a0", "exec.create") })).rejects.toThrow();
    expect(await store.get("e1")).toBeUndefined();
  });

  it("lets exactly one decision through the gate", async () => {
    await pending("e1", "2026-01-02T00:00:00.000Z");
    const approve = { from: ["pending_approval"] as const, to: "running" as const, decision: { by: "olga", at: "2026-01-01T01:00:00.000Z", decision: "approved" as const } };
    expect(await store.transition("e1", { ...approve, audit: audit("x1", "exec.approve") })).toBe(true);
    expect(await store.transition("e1", { ...approve, audit: audit("x2", "exec.approve") })).toBe(false);
    expect((await store.get("e1"))?.state).toBe("running");
    expect(await store.approval("e1")).toMatchObject({ decided_by: "olga", decision: "approved", request: { pcs: ["pc-1"] } });
    // The refused transition wrote no audit record.
    expect(outbox()).toEqual(["exec.request_approval", "exec.approve"]);
  });

  it("finds overdue approvals only while they are pending", async () => {
    await pending("old", "2026-01-01T12:00:00.000Z");
    await pending("fresh", "2026-01-03T00:00:00.000Z");
    expect(await store.overdueApprovals("2026-01-01T13:00:00.000Z")).toEqual(["old"]);
    await store.transition("old", { from: ["pending_approval"], to: "expired", decision: { by: "system", at: "2026-01-01T13:00:00.000Z", decision: "expired" } });
    expect(await store.overdueApprovals("2026-01-01T13:00:00.000Z")).toEqual([]);
    expect(await store.approval("old")).toMatchObject({ decision: "expired", decided_by: "system" });
  });

  it("swaps a publish intent for a withdrawal in the kill's transaction", async () => {
    const e = exec("k1", "running");
    await store.create({
      execution: e,
      targets: ["pc-1"],
      intent: { kind: "publish", exec_id: "k1", created_at: e.created_at, job_id: "j", version: "1.0.0", target: e.target, plans: [] },
      audit: audit("k-a", "exec.create"),
    });
    const moved = await store.transition("k1", {
      from: ["running"],
      to: "killed",
      killedAt: "2026-01-01T00:01:00.000Z",
      removeIntents: ["publish"],
      addIntent: { kind: "withdraw", exec_id: "k1", created_at: "2026-01-01T00:01:00.000Z", target: e.target, issued_by: "olga" },
      audit: audit("k-b", "exec.kill"),
    });
    expect(moved).toBe(true);
    expect((await store.intents()).map((i) => i.kind)).toEqual(["withdraw"]);
    expect(await store.get("k1")).toMatchObject({ state: "killed", killed_at: "2026-01-01T00:01:00.000Z" });
  });
});
