import { describe, expect, it } from "vitest";
import { buildRunRequest, type RunForm } from "./run-request.js";

const form = (over: Partial<RunForm> = {}): RunForm => ({
  target: { mode: "pcs", pcs: ["pc-1"], groups: [], jitter: "" },
  shell: "powershell",
  timeout: "60s",
  script: "Get-Date\n",
  ...over,
});

describe("Run page request", () => {
  it("sends the script exactly as typed, with shell, timeout and target", () => {
    expect(buildRunRequest(form({ script: "  echo hi  \n" }))).toEqual({
      ok: true,
      request: { pcs: ["pc-1"], shell: "powershell", script: "  echo hi  \n", timeout: "60s" },
    });
    const all = buildRunRequest(form({ target: { mode: "all", pcs: [], groups: [], jitter: "5m" }, timeout: "" }));
    expect(all).toEqual({ ok: true, request: { all: true, jitter: "5m", shell: "powershell", script: "Get-Date\n" } });
  });

  it("says what is missing or wrong", () => {
    expect(buildRunRequest(form({ target: { mode: "pcs", pcs: [], groups: [], jitter: "" } }))).toMatchObject({ ok: false, reason: "no_pcs" });
    expect(buildRunRequest(form({ script: " \n " }))).toMatchObject({ ok: false, reason: "no_script" });
    const bad = buildRunRequest(form({ timeout: "soon" }));
    expect(bad).toMatchObject({ ok: false, reason: "invalid" });
    expect(bad.ok ? "" : bad.message).toMatch(/^timeout: /);
  });
});
