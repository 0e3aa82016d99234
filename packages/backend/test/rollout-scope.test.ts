/**
 * Rollout scoping (SPEC §4 resolution: built-in → global → groups → pcs.<pc_id>): a PC rollout beats
 * a group rollout, which beats the global one — as the backend resolves it for
 * `GET /api/agents/{pc}/effective_config`, and as a real agent follows it when it updates itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Kvm } from "@nats-io/kv";
import { startAgent, type RunningAgent } from "@kanade/agent";
import { BUCKETS, platformOf, type AgentRelease, type EffectiveConfig, type RolloutResponse, type RolloutStatus } from "@kanade/protocol";
import { tempDir, testCommandKeys, testLogger, waitFor, type TempDir } from "@kanade/testkit";
import { TOKEN, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string } };
type Effective = EffectiveConfig & { pc_id: string; groups: string[] };

/** The platform this test runs on, so the agent below finds its own build. */
const PLATFORM = platformOf(process.platform, process.arch) ?? "linux-x64";
const build = (version: string): string => `#!/bin/sh\necho kanade-agent ${version}\n`;

describe("rollout scoping: pc beats group beats global", () => {
  const env = useBackendEnv();
  let dir: TempDir;
  let agent: RunningAgent | undefined;

  beforeAll(async () => {
    dir = tempDir("kanade-rollout-scope-");
  });
  afterAll(async () => {
    await agent?.stop();
    dir?.remove();
  });

  async function publish(version: string): Promise<AgentRelease> {
    const res = await fetch(`${env().backend.url}/api/agent-releases?version=${version}&platform=${PLATFORM}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/octet-stream" },
      body: Buffer.from(build(version)),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as AgentRelease;
  }
  async function rollout(body: Record<string, unknown>): Promise<RolloutResponse> {
    const res = await env().backend.api("POST", "/api/agent-rollout", body);
    expect(res.status, res.text).toBe(200);
    return res.body as RolloutResponse;
  }
  async function effective(pc: string): Promise<Effective> {
    const res = await env().backend.api("GET", `/api/agents/${pc}/effective_config`);
    expect(res.status, res.text).toBe(200);
    return res.body as Effective;
  }
  async function configSnapshot(): Promise<Record<string, string>> {
    const kv = await new Kvm(env().nc).open(BUCKETS.agentConfig);
    const out: Record<string, string> = {};
    for await (const key of await kv.keys()) {
      const e = await kv.get(key);
      if (e && e.operation === "PUT") out[key] = e.string();
    }
    return out;
  }

  it("resolves target_version per PC: pcs.<pc> over groups.<g> over global", async () => {
    for (const v of ["1.0.0", "2.0.0", "3.0.0"]) expect((await publish(v)).version).toBe(v);

    expect(await rollout({ version: "1.0.0", global: true })).toEqual({ version: "1.0.0", scopes: ["global"], jitter: null });
    expect(await rollout({ version: "2.0.0", groups: ["canary"] })).toEqual({ version: "2.0.0", scopes: ["groups.canary"], jitter: null });
    expect(await rollout({ version: "3.0.0", pcs: ["pc-a"] })).toEqual({ version: "3.0.0", scopes: ["pcs.pc-a"], jitter: null });
    for (const pc of ["pc-a", "pc-b"]) {
      const res = await env().backend.api("PUT", `/api/agents/${pc}/groups`, { groups: ["canary"] });
      expect(res.status, res.text).toBe(200);
    }

    const a = await effective("pc-a");
    expect(a.groups).toEqual(["canary"]);
    expect(a.effective.target_version).toBe("3.0.0");
    expect(a.sources.target_version).toBe("pcs.pc-a");
    const b = await effective("pc-b");
    expect(b.groups).toEqual(["canary"]);
    expect(b.effective.target_version).toBe("2.0.0");
    expect(b.sources.target_version).toBe("groups.canary");
    const c = await effective("pc-c");
    expect(c.groups).toEqual([]);
    expect(c.effective.target_version).toBe("1.0.0");
    expect(c.sources.target_version).toBe("global");
    for (const e of [a, b, c]) expect(e.conflicts).toEqual([]);

    const status = (await env().backend.api("GET", "/api/agent-rollout")).body as RolloutStatus;
    expect(status.scopes).toEqual([
      { scope: "global", target_version: "1.0.0", target_version_jitter: null },
      { scope: "groups.canary", target_version: "2.0.0", target_version_jitter: null },
      { scope: "pcs.pc-a", target_version: "3.0.0", target_version_jitter: null },
    ]);
  });

  it("refuses a rollout of an unpublished version and changes no scope", async () => {
    const before = await configSnapshot();
    const statusBefore = (await env().backend.api("GET", "/api/agent-rollout")).body as RolloutStatus;
    for (const body of [{ version: "9.9.9", global: true }, { version: "9.9.9", groups: ["canary"] }, { version: "9.9.9", pcs: ["pc-a", "pc-c"] }]) {
      const refused = await env().backend.api("POST", "/api/agent-rollout", body);
      expect(refused.status).toBe(409);
      expect((refused.body as ErrBody).error.code).toBe("RELEASE_NOT_PUBLISHED");
      expect((refused.body as ErrBody).error.message).toContain("9.9.9");
    }
    expect(await configSnapshot()).toEqual(before);
    expect((await env().backend.api("GET", "/api/agent-rollout")).body).toEqual(statusBefore);
    expect((await effective("pc-a")).effective.target_version).toBe("3.0.0");
    expect((await effective("pc-b")).effective.target_version).toBe("2.0.0");
    expect((await effective("pc-c")).effective.target_version).toBe("1.0.0");
  });

  it("a real agent in group canary updates itself to the group's version, not the global one", async () => {
    // The agent replays agent_config scope by scope; with the global scope on a long jitter, a
    // moment where only `global` has been read cannot start a v1 download before groups.canary lands.
    await rollout({ version: "1.0.0", global: true, jitter: "12h" });
    await rollout({ version: "2.0.0", groups: ["canary"], jitter: "0s" });
    expect((await effective("pc-b")).effective).toMatchObject({ target_version: "2.0.0", target_version_jitter: "0s" });

    const exePath = join(dir.path, "kanade-agent");
    writeFileSync(exePath, build("0.1.0"));
    const swapped: string[] = [];
    agent = await startAgent(
      { pcId: "pc-b", natsUrl: env().server.url, dataDir: join(dir.path, "data"), logLevel: "silent", heartbeatIntervalMs: 30_000, commandKeys: testCommandKeys().keys },
      { log: testLogger("pc-b"), selfUpdate: { exePath, onSwapped: (v) => swapped.push(v) } },
    );
    await waitFor(() => swapped.length > 0 || undefined, { what: "the agent to swap in a new build", timeoutMs: 30_000 });
    expect(swapped).toEqual(["2.0.0"]);
    expect(readFileSync(exePath, "utf8")).toBe(build("2.0.0"));
    expect(readFileSync(`${exePath}.old`, "utf8")).toBe(build("0.1.0"));
    expect(existsSync(`${exePath}.new`)).toBe(false);
  });
});
