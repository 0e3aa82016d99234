import { describe, expect, it } from "vitest";
import { execResultSchema } from "@kanade/protocol/wire";
import { buildResult, outcomeFields, type RunIdentity } from "./exec-result.js";

const run: RunIdentity = {
  result_id: "0190a7e0-0000-7000-8000-00000000000a",
  exec_id: "0190a7e0-0000-7000-8000-00000000000b",
  request_id: "0190a7e0-0000-7000-8000-00000000000c",
  job_id: "job",
  version: "1.0.0",
  run_as: "user",
};
const times = { startedAt: null, finishedAt: "2025-01-01T00:00:00.000Z" };

describe("buildResult", () => {
  it("gives a skipped or interrupted run empty output and keeps who it belongs to", () => {
    const r = buildResult(run, "pc-1", times, { status: "error", exit_code: null, error: "agent stopped" });
    expect(execResultSchema.parse(r)).toEqual({
      ...run,
      pc_id: "pc-1",
      status: "error",
      exit_code: null,
      stdout: "",
      stderr: "",
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: null,
      finished_at: times.finishedAt,
      error: "agent stopped",
    });
  });

  it("carries a finished process's output and flags", () => {
    const end = outcomeFields({ status: "failed", exitCode: 3, stdout: "o", stderr: "e", stdoutTruncated: true, stderrTruncated: false });
    const r = buildResult(run, "pc-1", { ...times, startedAt: "2024-12-31T23:59:00.000Z" }, end);
    expect([r.status, r.exit_code, r.stdout, r.stderr, r.stdout_truncated, r.error]).toEqual(["failed", 3, "o", "e", true, undefined]);
    expect("error" in r).toBe(false);
  });
});
