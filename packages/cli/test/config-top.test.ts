/** `kanade config …` and `kanade top` as real processes against a real backend and a real agent. */
import type { HostPerf } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, startTestFleet, type NatsServer, type TestBackend, type TestFleet } from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let fleet: TestFleet | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { perfLiveLeaseMs: 3_000 });
  fleet = await startTestFleet(nats.url, ["top-pc"]);
});
afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
});

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend!.url, token: backend!.token, timeoutMs: 30_000 });

describe("kanade config", () => {
  it("sets, reads, unsets and explains layered config", async () => {
    expect((await kanade("config", "set", "heartbeat_interval=45s", "inventory_enabled=false")).code).toBe(0);
    expect((await kanade("config", "set", "--group", "lab", "heartbeat_interval=10s")).code).toBe(0);
    expect((await kanade("config", "set", "--group", "zoo", "heartbeat_interval=15s")).code).toBe(0);
    expect((await kanade("group", "set", "top-pc", "lab", "zoo")).code).toBe(0);

    const get = await kanade("config", "get");
    expect(get.stdout).toMatch(/^heartbeat_interval\s+45s$/m);
    expect(get.stdout).toMatch(/^inventory_enabled\s+false$/m);

    const eff = await kanade("config", "effective", "top-pc");
    expect(eff.code).toBe(0);
    expect(eff.stdout).toMatch(/^FIELD\s+VALUE\s+SOURCE$/m);
    expect(eff.stdout).toMatch(/^heartbeat_interval\s+15s\s+groups\.zoo$/m);
    expect(eff.stdout).toMatch(/^inventory_enabled\s+false\s+global$/m);
    expect(eff.stdout).toMatch(/^host_perf_interval\s+60s\s+default$/m);
    expect(eff.stderr).toContain("warning: heartbeat_interval is set by groups lab, zoo; groups.zoo wins");

    expect((await kanade("config", "unset", "--group", "zoo", "heartbeat_interval")).code).toBe(0);
    const json = JSON.parse((await kanade("config", "effective", "top-pc", "--json")).stdout) as { sources: Record<string, string>; conflicts: unknown[] };
    expect(json.sources.heartbeat_interval).toBe("groups.lab");
    expect(json.conflicts).toEqual([]);

    // A PC's own scope (its routes live under /api/agents/{pc}/config).
    expect((await kanade("config", "set", "--pc", "top-pc", "heartbeat_interval=20s")).code).toBe(0);
    expect((await kanade("config", "get", "--pc", "top-pc")).stdout).toMatch(/^pcs\.top-pc:\nFIELD\s+VALUE\nheartbeat_interval\s+20s\n$/);
    expect((await kanade("config", "effective", "top-pc")).stdout).toMatch(/^heartbeat_interval\s+20s\s+pcs\.top-pc$/m);
    expect(await kanade("config", "clear", "--pc", "top-pc")).toMatchObject({ code: 0, stdout: "pcs.top-pc: (nothing set)\n" });

    expect((await kanade("config", "clear")).code).toBe(0);
    expect((await kanade("config", "get")).stdout).toBe("global: (nothing set)\n");
  });

  it("refuses invalid values with exit 2 naming the field", async () => {
    const banana = await kanade("config", "set", "--pc", "top-pc", "heartbeat_interval=banana");
    expect(banana.code).toBe(2);
    expect(banana.stderr).toContain("heartbeat_interval");
    const unknown = await kanade("config", "set", "colour=blue");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("colour");
    expect((await kanade("config", "set", "novalue")).code).toBe(2);
    expect((await kanade("config", "get", "--group", "a", "--pc", "b")).code).toBe(2);
  });
});

describe("kanade top", () => {
  it("prints one live picture of a PC with its top processes", async () => {
    const r = await kanade("top", "top-pc", "--once");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^top-pc {2}\d{4}-/);
    expect(r.stdout).toMatch(/^CPU {2}[\d.]+% of \d+ cores$/m);
    expect(r.stdout).toMatch(/^PID\s+CPU%\s+RSS\s+NAME$/m);
  });

  it("fails with exit 1 for a PC that does not answer, instead of hanging", async () => {
    const r = await kanade("top", "ghost-pc", "--once");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no reply from ghost-pc");
  });

  it("shows the fleet's hottest PCs", async () => {
    const r = await kanade("top", "--fleet", "--once", "--json");
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as HostPerf[];
    // top-pc streamed during the previous test, so the fleet view has its samples.
    expect(items.map((i) => i.pc_id)).toContain("top-pc");
    const table = await kanade("top", "--fleet", "--once");
    expect(table.stdout).toMatch(/^PC\s+CPU%\s+MEM/);
    expect((await kanade("top", "--fleet", "--sort", "heat")).code).toBe(2);
  });
});
