import { describe, expect, it } from "vitest";
import { commandSchema, configScopeSchema, execResultSchema, normalizeGroups } from "./messages.js";

const base = {
  request_id: "01936f0e-7a3b-7cde-8f00-000000000001",
  exec_id: "01936f0e-7a3b-7cde-8f00-000000000002",
  job_id: "hello",
  version: "1.0.0",
  shell: "sh",
  script: "echo hi",
  timeout_secs: 30,
  issued_at: "2026-11-30T00:00:00Z",
  issued_by: "ops",
};

describe("wire messages", () => {
  it("fills Command defaults and drops unknown fields", () => {
    const c = commandSchema.parse({ ...base, surprise: 1 });
    expect(c.run_as).toBe("system");
    expect(c.staleness).toEqual({ mode: "cached" });
    expect("surprise" in c).toBe(false);
  });

  it("refuses a Command with both or neither script sources", () => {
    expect(commandSchema.safeParse({ ...base, script_object: "a/1" }).success).toBe(false);
    const { script: _s, ...none } = base;
    expect(commandSchema.safeParse(none).success).toBe(false);
  });

  it("refuses a result with an unknown status or a bad pc_id", () => {
    const r = {
      result_id: base.request_id, exec_id: base.exec_id, request_id: base.request_id, job_id: "hello", version: "1.0.0",
      pc_id: "pc-1", status: "succeeded", exit_code: 0, stdout: "", stderr: "", started_at: null, finished_at: "2026-11-30T00:00:01Z",
    };
    expect(execResultSchema.parse(r).stdout_truncated).toBe(false);
    expect(execResultSchema.safeParse({ ...r, status: "great" }).success).toBe(false);
    expect(execResultSchema.safeParse({ ...r, pc_id: "bad pc" }).success).toBe(false);
  });

  it("validates config scopes field by field", () => {
    expect(configScopeSchema.safeParse({ heartbeat_interval: "10s" }).success).toBe(true);
    const bad = configScopeSchema.safeParse({ heartbeat_interval: "banana", nope: 1 });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues.map((i) => i.path.join(".") || i.code).sort()).toEqual(["heartbeat_interval", "unrecognized_keys"]);
  });

  it("caps every timer duration at 24d, naming the field", () => {
    const tooLong = configScopeSchema.safeParse({ inventory_interval: "30d", heartbeat_interval: "24d" });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["inventory_interval: must be at most 24d"]);
    for (const field of ["heartbeat_interval", "host_perf_interval", "inventory_interval", "inventory_jitter", "target_version_jitter"]) {
      expect(configScopeSchema.safeParse({ [field]: "25d" }).error?.issues[0]?.path, field).toEqual([field]);
      expect(configScopeSchema.safeParse({ [field]: "24d" }).success, field).toBe(true);
    }
    const strict = commandSchema.safeParse({ ...base, staleness: { mode: "strict", max_cache_age: "30d" } });
    expect(strict.error?.issues[0]?.path).toEqual(["staleness", "max_cache_age"]);
  });

  it("refuses a Command whose timeout or jitter is longer than 24d", () => {
    expect(commandSchema.safeParse({ ...base, timeout_secs: 24 * 86_400, jitter_secs: 24 * 86_400 }).success).toBe(true);
    const timeout = commandSchema.safeParse({ ...base, timeout_secs: 30 * 86_400 });
    expect(timeout.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["timeout_secs: must be at most 24d"]);
    expect(commandSchema.safeParse({ ...base, jitter_secs: 24 * 86_400 + 1 }).error?.issues[0]?.path).toEqual(["jitter_secs"]);
  });

  it("normalizes group lists: sorted and deduplicated", () => {
    expect(normalizeGroups(["lab", "canary", "lab"])).toEqual(["canary", "lab"]);
  });
});
