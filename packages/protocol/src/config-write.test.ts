import { describe, expect, it } from "vitest";
import { configScopeInputSchema, configValueFromText } from "./config-write.js";

describe("configScopeInputSchema", () => {
  it("accepts a valid scope", () => {
    expect(configScopeInputSchema.parse({ heartbeat_interval: "10s", inventory_enabled: false })).toEqual({
      heartbeat_interval: "10s",
      inventory_enabled: false,
    });
  });

  it("names the field of each problem", () => {
    const r = configScopeInputSchema.safeParse({ heartbeat_interval: "banana", host_perf_interval: "0s", colour: "red" });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join(".") || i.code);
    expect(paths).toContain("heartbeat_interval");
    expect(paths).toContain("unrecognized_keys");
  });

  it("refuses a zero period", () => {
    const r = configScopeInputSchema.safeParse({ host_perf_interval: "0s" });
    expect(r.error?.issues[0]?.path).toEqual(["host_perf_interval"]);
  });

  it("refuses a period or jitter longer than 24d, naming the field", () => {
    const r = configScopeInputSchema.safeParse({ inventory_interval: "30d", inventory_jitter: "25d" });
    expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "inventory_interval: must be at most 24d",
      "inventory_jitter: must be at most 24d",
    ]);
  });
});

describe("configValueFromText", () => {
  it("reads booleans only for inventory_enabled", () => {
    expect(configValueFromText("inventory_enabled", "false")).toBe(false);
    expect(configValueFromText("heartbeat_interval", "true")).toBe("true");
  });
});
