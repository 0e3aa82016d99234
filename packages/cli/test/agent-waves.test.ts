/**
 * Agent self-update rollouts in waves (issue 14 §3): real nats-server, backend and CLI; the fleet is simulated
 * by heartbeats published on the broker. Each simulated PC reads its own `agent_config` scope and "updates"
 * to the target version the way the real agent does (or, for the bad build on the canaries, rolls it back or
 * never comes up on it). A good canary wave lets the next wave go; a bad one aborts the rollout and the rest
 * of the fleet is never given the target version.
 */
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUCKETS, configKeys, configScopeSchema, subjects, type Heartbeat, type ListResponse, type RolloutView } from "@kanade/protocol";
import { runCli, sleep, startNatsServer, startTestBackend, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";

const CANARIES = ["aw-pc-1", "aw-pc-2"];
const REST = ["aw-pc-3", "aw-pc-4", "aw-pc-5"];
const PCS = [...CANARIES, ...REST];
const BAD = "3.0.0";

let nats: NatsServer;
let backend: TestBackend;
let nc: NatsConnection;
let kv: KV;
let timer: NodeJS.Timeout | undefined;
/** What each simulated PC runs, what it rolled back, and every target version it was ever given. */
const running = new Map(PCS.map((pc) => [pc, "1.0.0"]));
const quarantined = new Map<string, string[]>(PCS.map((pc) => [pc, []]));
const told = new Map<string, Set<string>>(PCS.map((pc) => [pc, new Set()]));

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });
const status = async (id: string): Promise<RolloutView> => {
  const r = await kanade("rollout", "status", id, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as RolloutView;
};

/** One beat of the simulated fleet: each PC looks at its target version, acts on it, and heartbeats. */
async function beat(): Promise<void> {
  for (const pc of PCS) {
    const e = await kv.get(configKeys.pc(pc));
    const target = e && e.operation === "PUT" ? configScopeSchema.parse(e.json()).target_version : undefined;
    if (target !== undefined && target !== running.get(pc)) {
      told.get(pc)!.add(target);
      // The bad build: the first canary starts it, it crashes, and the agent rolls back (quarantining it);
      // the second never comes up on it at all.
      if (target === BAD && pc === CANARIES[0] && !quarantined.get(pc)!.includes(target)) quarantined.get(pc)!.push(target);
      else if (!(target === BAD && CANARIES.includes(pc))) running.set(pc, target);
    }
    const hb: Heartbeat = {
      pc_id: pc, at: new Date().toISOString(), agent_version: running.get(pc)!, hostname: pc, os_family: "linux", os_version: "test",
      boot_time: null, agent_rss_bytes: 0, agent_cpu_pct: 0, groups: [], quarantined_versions: quarantined.get(pc)!, heartbeat_interval_secs: 1,
    };
    nc.publish(subjects.heartbeat(pc), JSON.stringify(hb));
  }
}

async function publish(version: string): Promise<void> {
  const res = await fetch(`${backend.url}/api/agent-releases?version=${version}&platform=linux-x64`, {
    method: "POST",
    headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/octet-stream" },
    body: Buffer.from(`#!/bin/sh\necho ${version}\n`),
  });
  expect(res.status).toBe(201);
}

async function start(version: string, ...more: string[]): Promise<string> {
  const r = await kanade("agent", "rollout", version, "--global", "--min-results", "2", "--abort-if-failure-rate", "0.5", "--json", ...more);
  expect(r.code, r.stderr).toBe(0);
  const v = JSON.parse(r.stdout) as RolloutView;
  expect(v).toMatchObject({ kind: "agent_update", agent_version: version, job_id: null, target_count: PCS.length });
  return v.id;
}

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url, { scheduleTickMs: 250 });
  nc = await connect({ servers: nats.url });
  kv = await new Kvm(nc).open(BUCKETS.agentConfig);
  const loop = async (): Promise<void> => {
    await beat().catch(() => undefined);
    timer = setTimeout(() => void loop(), 250);
  };
  await loop();
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === PCS.length, { what: "every simulated agent" });
  for (const pc of CANARIES) expect((await kanade("group", "add", pc, "canary")).code).toBe(0);
});

afterAll(async () => {
  if (timer) clearTimeout(timer);
  await nc?.drain();
  await backend?.close();
  await nats?.dispose();
});

describe("agent rollout waves", () => {
  it("refuses a version that is not published, and bad wave flags", async () => {
    const r = await kanade("agent", "rollout", "9.9.9", "--global", "--waves", "canary:0m,100%:1s");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not published");
    const bad = await kanade("agent", "rollout", "9.9.9", "--global", "--waves", "canary");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--waves");
  });

  it("a good build: the canaries come up on it, then the next wave goes and the rollout completes", { timeout: 60_000 }, async () => {
    await publish("2.0.0");
    const id = await start("2.0.0", "--waves", "canary:0m,100%:1s");
    const done = await waitFor(async () => {
      const s = await status(id);
      return s.state === "completed" && s.answered === PCS.length ? s : undefined;
    }, { timeoutMs: 30_000, what: "the rollout completed" });
    expect(done).toMatchObject({ sent: 5, failed: 0, failure_rate: 0 });
    expect(done.waves.map((w) => [w.state, w.pc_count])).toEqual([["sent", 2], ["sent", 3]]);
    expect(PCS.map((pc) => running.get(pc))).toEqual(PCS.map(() => "2.0.0"));
    const audit = (await backend.api<ListResponse<{ action: string; actor: string }>>("GET", "/api/audit?target=2.0.0&limit=10")).body.items;
    expect(audit.filter((e) => e.action === "agent.rollout" && e.actor === `rollout:${id}`)).toHaveLength(2);
    expect((await kanade("rollout", "status", id)).stdout).toContain(`(agent 2.0.0): completed`);
  });

  it("a bad build: a canary rolls it back and the other never comes up on it, so the rest are never told to update", { timeout: 60_000 }, async () => {
    await publish(BAD);
    const id = await start(BAD, "--waves", "canary:0m,100%:1s", "--deadline", "3s");
    const v = await waitFor(async () => {
      const s = await status(id);
      return s.state === "aborted" ? s : undefined;
    }, { timeoutMs: 30_000, what: "the rollout aborted" });
    expect(v.reason).toBe("failure rate 100% (2 of 2 answered) reached abort_if_failure_rate 50% before wave 2; 3 PC(s) were never sent the update");
    expect(v.waves.map((w) => w.state)).toEqual(["sent", "waiting"]);
    await sleep(1_500); // past wave 2's time: nothing more goes out
    for (const pc of CANARIES) expect(told.get(pc)!.has(BAD)).toBe(true);
    for (const pc of REST) {
      expect(told.get(pc)!.has(BAD)).toBe(false);
      const e = await kv.get(configKeys.pc(pc));
      expect(configScopeSchema.parse(e!.json()).target_version).toBe("2.0.0");
    }
    expect(PCS.map((pc) => running.get(pc))).toEqual(PCS.map(() => "2.0.0"));
    const actions = (await backend.api<ListResponse<{ action: string }>>("GET", `/api/audit?target=${id}&limit=10`)).body.items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["rollout.start", "rollout.abort"]));
  });

  it("pause, resume and abort work on an agent rollout", { timeout: 30_000 }, async () => {
    const id = await start("2.0.0", "--waves", "canary:0m,100%:1h");
    expect((await kanade("rollout", "pause", id)).stdout).toContain(": paused");
    expect((await kanade("rollout", "resume", id)).stdout).toContain(": running");
    expect((await kanade("rollout", "abort", id)).stdout).toContain(": aborted — aborted by static-token");
  });
});
