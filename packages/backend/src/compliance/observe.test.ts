import { describe, expect, it } from "vitest";
import type { ExecResult, Manifest } from "@kanade/protocol";
import { createCompliance } from "./index.js";

describe("compliance webhook on projected results", () => {
  it("reads each check version from the catalog once, and notifies every failing result", async () => {
    let current = { id: "disk", version: "1.0.0", check: { pass_if: "exit_0", webhook: "https://hooks.example/v1" } };
    const asked: string[] = [];
    const sent: { url: string; pc: string }[] = [];
    const now = new Date("2026-01-01T00:01:00.000Z");
    const compliance = createCompliance({
      store: { latest: () => [], history: () => [] },
      jobs: { list: async () => [], get: async (id) => (asked.push(id), current as unknown as Manifest) },
      notifier: { notify: (url, body) => void sent.push({ url, pc: body.pc_id }), idle: async () => undefined, stop: () => undefined },
      clock: () => now,
    });
    const result = (pc: string, version: string, exit: number): ExecResult => ({
      result_id: `r-${pc}`, exec_id: "e", request_id: "q", job_id: "disk", version, pc_id: pc, status: exit === 0 ? "succeeded" : "failed",
      exit_code: exit, stdout: "", stderr: "", stdout_truncated: false, stderr_truncated: false, started_at: null, finished_at: "2026-01-01T00:00:30.000Z",
    });
    for (let i = 0; i < 4; i++) await compliance.observe([result(`pc${i}a`, "1.0.0", 1), result(`pc${i}b`, "1.0.0", 0)]);
    expect(asked).toEqual(["disk"]);
    expect(sent.map((s) => s.pc)).toEqual(["pc0a", "pc1a", "pc2a", "pc3a"]);
    // A new version is read once more; a late result of the old one is judged by the check it ran under.
    current = { id: "disk", version: "2.0.0", check: { pass_if: "exit_0", webhook: "https://hooks.example/v2" } };
    await compliance.observe([result("pc9", "2.0.0", 1), result("pc8", "1.0.0", 1)]);
    await compliance.observe([result("pc7", "2.0.0", 1)]);
    expect(asked).toEqual(["disk", "disk"]);
    expect(sent.slice(4)).toEqual([
      { url: "https://hooks.example/v2", pc: "pc9" },
      { url: "https://hooks.example/v1", pc: "pc8" },
      { url: "https://hooks.example/v2", pc: "pc7" },
    ]);
  });
});
