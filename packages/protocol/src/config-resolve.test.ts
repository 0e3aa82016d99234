import { describe, expect, it } from "vitest";
import { resolveConfig } from "./config-resolve.js";

describe("resolveConfig", () => {
  it("uses built-in defaults when nothing is set", () => {
    const r = resolveConfig({}, []);
    expect(r.effective.heartbeat_interval).toBe("30s");
    expect(r.sources.heartbeat_interval).toBe("default");
    expect(r.conflicts).toEqual([]);
  });

  it("layers global, groups in alphabetical order, then the PC", () => {
    const r = resolveConfig(
      {
        global: { heartbeat_interval: "20s", host_perf_interval: "30s", inventory_enabled: false },
        groups: { lab: { heartbeat_interval: "15s" }, canary: { heartbeat_interval: "10s", target_version: "1.2.0" }, other: { heartbeat_interval: "1s" } },
        pc: { host_perf_interval: "5s" },
      },
      ["lab", "canary"],
      "pc-1",
    );
    expect(r.effective).toMatchObject({ heartbeat_interval: "15s", host_perf_interval: "5s", target_version: "1.2.0", inventory_enabled: false });
    expect(r.sources).toMatchObject({ heartbeat_interval: "groups.lab", host_perf_interval: "pcs.pc-1", target_version: "groups.canary", inventory_enabled: "global" });
    expect(r.conflicts).toEqual([{ field: "heartbeat_interval", groups: ["canary", "lab"], winner: "groups.lab" }]);
  });

  it("still reports a group conflict that the PC scope overrides", () => {
    const r = resolveConfig({ groups: { a: { heartbeat_interval: "1m" }, b: { heartbeat_interval: "2m" } }, pc: { heartbeat_interval: "3m" } }, ["b", "a"], "x");
    expect(r.effective.heartbeat_interval).toBe("3m");
    expect(r.conflicts).toEqual([{ field: "heartbeat_interval", groups: ["a", "b"], winner: "pcs.x" }]);
  });
});
