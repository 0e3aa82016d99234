import { describe, expect, it } from "vitest";
import { KanadeError } from "@kanade/protocol";
import { checkKvKey, checkKvValue, requireBucket, requireObjectStore } from "./kv-values.js";

const failure = (fn: () => void): KanadeError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof KanadeError) return err;
    throw err;
  }
  throw new Error("expected a KanadeError");
};

describe("raw KV writes", () => {
  it("knows only kanade's buckets and object stores", () => {
    expect(requireBucket("agent_groups")).toBe("agent_groups");
    expect(requireObjectStore("result_output")).toBe("result_output");
    const e = failure(() => requireBucket("KV_agent_groups"));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toContain('No KV bucket "KV_agent_groups"');
    expect(e.message).toContain("agent_config");
    expect(failure(() => requireObjectStore("jobs")).message).toContain("app_packages");
  });

  it("refuses keys NATS would refuse", () => {
    for (const ok of ["pc-1", "groups.lab", "app/1.0.0", "a=b_c"]) expect(() => checkKvKey(ok)).not.toThrow();
    for (const bad of [".x", "x.", "a..b", "with space", "a*", "a>", ""]) expect(failure(() => checkKvKey(bad)).code, bad).toBe("BAD_REQUEST");
  });

  it("validates the buckets readers parse, naming the problem", () => {
    expect(() => checkKvValue("agent_groups", "pc-1", '{"groups":["lab"]}')).not.toThrow();
    expect(failure(() => checkKvValue("agent_groups", "pc-1", '{"groups":"lab"}')).message).toMatch(/^invalid agent_groups value: groups: /);
    expect(failure(() => checkKvValue("agent_groups", "pc-1", "lab")).message).toMatch(/^agent_groups values are JSON: /);

    expect(() => checkKvValue("agent_config", "groups.lab", '{"heartbeat_interval":"10s"}')).not.toThrow();
    expect(failure(() => checkKvValue("agent_config", "global", '{"heartbeat_interval":"soon"}')).message).toContain("heartbeat_interval: expected a duration");
    expect(failure(() => checkKvValue("agent_config", "global", '{"colour":"red"}')).message).toContain("unknown field(s): colour");
    expect(failure(() => checkKvValue("agent_config", "lab", "{}")).message).toContain("agent_config keys are global, groups.<group> or pcs.<pc_id>");

    expect(() => checkKvValue("script_status", "hello", "REVOKED")).not.toThrow();
    expect(failure(() => checkKvValue("script_status", "hello", "revoked")).message).toBe('script_status values are ACTIVE or REVOKED, not "revoked"');

    const manifest = { id: "hello", version: "1.0.0", execute: { shell: "sh", script: "echo hi" } };
    expect(() => checkKvValue("jobs", "hello", JSON.stringify(manifest))).not.toThrow();
    expect(failure(() => checkKvValue("jobs", "other", JSON.stringify(manifest))).message).toContain('the manifest id "hello" must equal the key "other"');
  });

  it("refuses hand-written standing orders (the backend signs them from the schedules)", () => {
    expect(failure(() => checkKvValue("schedule_orders", "nightly", "{}")).message).toContain("written by the backend");
  });

  it("leaves buckets without a schema alone", () => {
    expect(() => checkKvValue("script_current", "hello", "anything at all")).not.toThrow();
    expect(() => checkKvValue("notifications_read", "x", "")).not.toThrow();
  });
});
