import { describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { BUCKETS, STREAMS, configKeys, subjects, type EffectiveConfig } from "@kanade/protocol";
import { useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };
type ScopeBody = { scope: string; config: Record<string, unknown> };
type Effective = EffectiveConfig & { pc_id: string; groups: string[] };

describe("layered config API", () => {
  const env = useBackendEnv();

  it("PUT replaces a scope, GET reads it, and the KV entry is what agents watch", async () => {
    const put = await env().backend.api("PUT", "/api/config", { heartbeat_interval: "20s", inventory_enabled: false });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ scope: "global", config: { heartbeat_interval: "20s", inventory_enabled: false } });
    const get = await env().backend.api("GET", "/api/config");
    expect((get.body as ScopeBody).config).toEqual({ heartbeat_interval: "20s", inventory_enabled: false });
    const kv = await new Kvm(env().nc).open(BUCKETS.agentConfig);
    expect((await kv.get(configKeys.global()))?.json()).toEqual({ heartbeat_interval: "20s", inventory_enabled: false });

    await env().backend.api("PUT", "/api/config", { host_perf_interval: "30s" });
    expect(((await env().backend.api("GET", "/api/config")).body as ScopeBody).config).toEqual({ host_perf_interval: "30s" });
  });

  it("refuses invalid values with 400 INVALID_CONFIG naming the field", async () => {
    for (const [body, field] of [
      [{ heartbeat_interval: "banana" }, "heartbeat_interval"],
      [{ host_perf_interval: "-5s" }, "host_perf_interval"],
      [{ heartbeat_interval: -5 }, "heartbeat_interval"],
      [{ host_perf_interval: "0s" }, "host_perf_interval"],
      [{ colour: "blue" }, "colour"],
    ] as const) {
      const r = await env().backend.api("PUT", "/api/groups/lab/config", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const err = (r.body as ErrBody).error;
      expect(err.code).toBe("INVALID_CONFIG");
      expect(err.message).toContain(field);
    }
    // Nothing was written.
    expect(((await env().backend.api("GET", "/api/groups/lab/config")).body as ScopeBody).config).toEqual({});
  });

  it("refuses a timer duration longer than 24d (Node would fire it after 1 ms)", async () => {
    const r = await env().backend.api("PUT", "/api/config", { inventory_interval: "30d" });
    expect(r.status).toBe(400);
    const err = (r.body as ErrBody).error;
    expect(err.code).toBe("INVALID_CONFIG");
    expect(err.message).toContain("inventory_interval: must be at most 24d");
    expect(err.details).toEqual([{ path: "inventory_interval", message: "must be at most 24d" }]);
  });

  it("PATCH merges fields and null removes one; DELETE clears the scope; every change is audited", async () => {
    await env().backend.api("PATCH", "/api/agents/pc-a/config", { heartbeat_interval: "5s" });
    await env().backend.api("PATCH", "/api/agents/pc-a/config", { host_perf_interval: "10s" });
    let r = await env().backend.api("GET", "/api/agents/pc-a/config");
    expect((r.body as ScopeBody).config).toEqual({ heartbeat_interval: "5s", host_perf_interval: "10s" });
    r = await env().backend.api("PATCH", "/api/agents/pc-a/config", { heartbeat_interval: null });
    expect((r.body as ScopeBody).config).toEqual({ host_perf_interval: "10s" });
    r = await env().backend.api("PATCH", "/api/agents/pc-a/config", { inventory_interval: "banana" });
    expect(r.status).toBe(400);
    expect((r.body as ErrBody).error.message).toContain("inventory_interval");
    expect((await env().backend.api("DELETE", "/api/agents/pc-a/config")).status).toBe(200);
    expect(((await env().backend.api("GET", "/api/agents/pc-a/config")).body as ScopeBody).config).toEqual({});

    const jsm = await jetstreamManager(env().nc);
    const last = await jsm.streams.getMessage(STREAMS.AUDIT, { last_by_subj: subjects.audit("config.clear") });
    expect(last?.json()).toMatchObject({ action: "config.clear", target: "pcs.pc-a", actor: "static-token" });
    const patched = await jsm.streams.getMessage(STREAMS.AUDIT, { last_by_subj: subjects.audit("config.patch") });
    expect(patched?.json()).toMatchObject({ target: "pcs.pc-a", payload_summary: { config: { host_perf_interval: "10s" } } });
  });

  it("effective_config layers global → groups (alphabetical) → pc, with sources and conflicts", async () => {
    await env().backend.api("PUT", "/api/config", { heartbeat_interval: "20s", inventory_jitter: "1m" });
    await env().backend.api("PUT", "/api/groups/alpha/config", { heartbeat_interval: "10s", host_perf_interval: "15s" });
    await env().backend.api("PUT", "/api/groups/beta/config", { heartbeat_interval: "12s" });
    await env().backend.api("PUT", "/api/agents/pc-b/config", { host_perf_interval: "5s" });
    expect((await env().backend.api("PUT", "/api/agents/pc-b/groups", { groups: ["beta", "alpha"] })).status).toBe(200);

    const r = await env().backend.api("GET", "/api/agents/pc-b/effective_config");
    expect(r.status).toBe(200);
    const eff = r.body as Effective;
    expect(eff.groups).toEqual(["alpha", "beta"]);
    expect(eff.effective).toMatchObject({ heartbeat_interval: "12s", host_perf_interval: "5s", inventory_jitter: "1m", inventory_interval: "24h" });
    expect(eff.sources).toMatchObject({
      heartbeat_interval: "groups.beta",
      host_perf_interval: "pcs.pc-b",
      inventory_jitter: "global",
      inventory_interval: "default",
    });
    expect(eff.conflicts).toEqual([{ field: "heartbeat_interval", groups: ["alpha", "beta"], winner: "groups.beta" }]);
  });

  it("needs the bearer token", async () => {
    const res = await fetch(`${env().backend.url}/api/config`);
    expect(res.status).toBe(401);
  });
});
