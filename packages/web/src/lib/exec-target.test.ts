import { describe, expect, it } from "vitest";
import { buildExecRequest } from "./exec-target.js";

describe("buildExecRequest", () => {
  it("targets the picked PCs with an optional jitter", () => {
    expect(buildExecRequest({ mode: "pcs", pcs: ["pc-1", "pc-2"], groups: [], jitter: " 5m " })).toEqual({
      ok: true,
      request: { pcs: ["pc-1", "pc-2"], jitter: "5m" },
    });
  });
  it("targets groups or the whole fleet", () => {
    expect(buildExecRequest({ mode: "groups", pcs: ["x"], groups: ["tokyo"], jitter: "" })).toEqual({ ok: true, request: { groups: ["tokyo"] } });
    expect(buildExecRequest({ mode: "all", pcs: [], groups: [], jitter: "" })).toEqual({ ok: true, request: { all: true } });
  });
  it("refuses an empty pick and a bad jitter before anything is sent", () => {
    expect(buildExecRequest({ mode: "pcs", pcs: [], groups: [], jitter: "" })).toEqual({ ok: false, reason: "no_pcs" });
    expect(buildExecRequest({ mode: "groups", pcs: [], groups: [], jitter: "" })).toEqual({ ok: false, reason: "no_groups" });
    const bad = buildExecRequest({ mode: "all", pcs: [], groups: [], jitter: "soon" });
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.reason).toBe("invalid");
  });
});
