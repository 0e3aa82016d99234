/**
 * A broker started from `kanade-backend nats init`'s config refuses what a rogue client tries, whatever
 * credential it holds: these are real nats.js clients, and every refusal comes from the broker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Readable } from "node:stream";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { putOwnObject } from "@kanade/agent";
import {
  BUCKETS,
  OBJECT_STORES,
  resultOutputChunkSubject,
  resultOutputKey,
  resultOutputMetaSubject,
  STREAMS,
  subjects,
} from "@kanade/protocol";
import { AUTH_FILES, startLockedNatsServer, startTestBackend, waitFor, type LockedNats, type TestBackend } from "@kanade/testkit";

/** Errors the broker reported on this connection (permission violations arrive asynchronously). */
function violations(nc: NatsConnection): string[] {
  const seen: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error") seen.push(String(s.error));
  })();
  return seen;
}

async function refusedPublish(nc: NatsConnection, seen: string[], subject: string): Promise<void> {
  nc.publish(subject, "{}");
  await nc.flush();
  await waitFor(() => seen.some((e) => e.includes(`Permissions Violation for Publish to "${subject}"`)), { timeoutMs: 5_000, what: `violation for ${subject}` });
}

async function refusedSubscribe(nc: NatsConnection, subject: string): Promise<string> {
  const sub = nc.subscribe(subject);
  try {
    for await (const m of sub) return `received ${m.subject}`;
    return "closed";
  } catch (err) {
    return String(err);
  }
}

describe("locked-down broker", () => {
  let broker: LockedNats;
  let backend: TestBackend;
  const open: NatsConnection[] = [];
  const client = async (opts: Parameters<typeof connect>[0]): Promise<NatsConnection> => {
    const nc = await connect({ servers: broker.url, ...opts });
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    broker = await startLockedNatsServer();
    backend = await startTestBackend(broker.url, { natsAuthDir: broker.authDir });
  });
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close()));
    await backend?.close();
    await broker?.dispose();
  });

  it("refuses a client with no credential, or an agent credential signed by a key it does not know", async () => {
    await expect(connect({ servers: broker.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    const other = await startLockedNatsServer();
    try {
      const foreign = other.agent("pc-a");
      await expect(connect({ servers: broker.url, reconnect: false, authenticator: foreign.authenticator })).rejects.toThrow(/Authorization Violation/i);
    } finally {
      await other.dispose();
    }
  });

  it("lets agent A's credential do nothing as agent B and nothing an operator or the backend does", async () => {
    const a = broker.agent("pc-a");
    const nc = await client(a.connectOptions);
    const seen = violations(nc);
    // Its own subjects work: the backend sees the heartbeat-free publish accepted (no violation).
    nc.publish(subjects.heartbeat("pc-a"), "{}");
    for (const subject of [
      subjects.commandsPc("pc-b"),
      subjects.commandsPc("pc-a"),
      subjects.commandsAll(),
      subjects.commandsGroup("lab"),
      subjects.kill("0190f0e0-0000-7000-8000-000000000000"),
      subjects.heartbeat("pc-b"),
      subjects.result("0190f0e0-0000-7000-8000-000000000000", "pc-b"),
      subjects.inventory("pc-b", "sw"),
      subjects.started("0190f0e0-0000-7000-8000-000000000000", "pc-b"),
      subjects.pcEvent("pc-b", "agent_started"),
      subjects.hostPerf("pc-b"),
      subjects.audit("job.create"),
    ]) {
      await refusedPublish(nc, seen, subject);
    }
    expect(seen.some((e) => e.includes(`"${subjects.heartbeat("pc-a")}"`))).toBe(false);

    // Reading B's commands, results, replies or requests.
    for (const subject of [subjects.commandsPc("pc-b"), subjects.resultsAll(), subjects.result("x", "pc-b"), "_INBOX.pc-b.>", "_INBOX.>", subjects.agentPing("pc-b"), ">"]) {
      expect(await refusedSubscribe(nc, subject)).toMatch(/Permissions Violation for Subscription/);
    }
    const jsm = await jetstreamManager(nc);
    await expect(jsm.direct.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc("pc-b") })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc("pc-b") })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.direct.getMessage(STREAMS.RESULTS, { last_by_subj: subjects.result("x", "pc-b") })).rejects.toThrow(/Permissions Violation/);

    // JetStream admin: purge, delete, new streams, consumers on RESULTS or AUDIT.
    await expect(jsm.streams.purge(STREAMS.EXEC)).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.delete(STREAMS.AUDIT)).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.add({ name: "ROGUE", subjects: ["rogue.>"] })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.consumers.add(STREAMS.RESULTS, { name: "rogue", filter_subject: subjects.resultsAll() })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.consumers.add(STREAMS.AUDIT, { name: "rogue" })).rejects.toThrow(/Permissions Violation/);
    await expect(jetstream(nc).publish(subjects.result("x", "pc-b"), "{}")).rejects.toThrow(/Permissions Violation/);

    // KV: no key can be written, not even its own group membership; another PC's membership cannot be read.
    const kvm = new Kvm(nc);
    for (const [bucket, key] of [
      [BUCKETS.agentConfig, "pcs.pc-a"],
      [BUCKETS.agentGroups, "pc-a"],
      [BUCKETS.scriptStatus, "hello"],
      [BUCKETS.fleetConfig, "freeze"],
      // Standing orders of agent-side schedules: readable by every agent, writable by none.
      [BUCKETS.scheduleOrders, "nightly"],
      [BUCKETS.jobs, "hello"],
    ] as const) {
      const kv = await kvm.open(bucket).catch((err: unknown) => err);
      if (kv instanceof Error) {
        expect(String(kv)).toMatch(/Permissions Violation/);
        continue;
      }
      await expect((kv as Awaited<ReturnType<typeof kvm.open>>).put(key, "{}")).rejects.toThrow(/Permissions Violation/);
    }
    const groups = await kvm.open(BUCKETS.agentGroups);
    await expect(groups.get("pc-b")).rejects.toThrow(/Permissions Violation/);
    // Agents read with direct get (kv-watch.ts DIRECT), which names the key in the subject.
    const orders = await kvm.open(BUCKETS.scheduleOrders, { allow_direct: true });
    await expect(orders.get("nightly")).resolves.toBeNull();
    await expect(orders.delete("nightly")).rejects.toThrow(/Permissions Violation/);
    await expect(orders.purge("nightly")).rejects.toThrow(/Permissions Violation/);
  });

  it("lets agent A write its own full output but read none of B's, by any route the broker has", async () => {
    const store = `OBJ_${OBJECT_STORES.resultOutput}`;
    const secret = `pc-b secret ${"s".repeat(200_000)}`;
    const bKey = resultOutputKey("0190f0e0-0000-7000-8000-00000000000b", "stdout");
    const b = await client(broker.agent("pc-b").connectOptions);
    const bInfo = await putOwnObject(jetstream(b), { pcId: "pc-b", name: bKey, source: Readable.from([Buffer.from(secret)]), maxPayload: b.info?.max_payload });
    expect(bInfo.chunks).toBeGreaterThan(1);

    const nc = await client(broker.agent("pc-a").connectOptions);
    const seen = violations(nc);
    const js = jetstream(nc);
    // Its own object goes in; another PC's chunk subject is refused.
    await putOwnObject(js, { pcId: "pc-a", name: resultOutputKey("0190f0e0-0000-7000-8000-00000000000a", "stdout"), source: Readable.from([Buffer.from("mine")]), maxPayload: undefined });
    await expect(putOwnObject(js, { pcId: "pc-b", name: "x/stdout", source: Readable.from([Buffer.from("as b")]), maxPayload: undefined })).rejects.toThrow(/Permissions Violation/);
    expect(seen.some((e) => e.includes(`"${resultOutputChunkSubject(`pc-b.`)}`))).toBe(true);

    // Reading: the object store client, stream and direct gets by sequence or subject, consumers, subscriptions.
    await expect(new Objm(js).open(OBJECT_STORES.resultOutput).then((s) => s.get(bKey))).rejects.toThrow(/Permissions Violation/);
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.info(store)).rejects.toThrow(/Permissions Violation/);
    for (let seq = 1; seq <= 3; seq++) {
      await expect(jsm.streams.getMessage(store, { seq })).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.direct.getMessage(store, { seq })).rejects.toThrow(/Permissions Violation/);
    }
    await expect(jsm.direct.getMessage(store, { last_by_subj: resultOutputMetaSubject(bKey) })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.direct.getMessage(store, { last_by_subj: resultOutputChunkSubject(bInfo.nuid) })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.getMessage(store, { last_by_subj: resultOutputMetaSubject(bKey) })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.consumers.add(store, { name: "rogue", filter_subject: resultOutputChunkSubject(bInfo.nuid) })).rejects.toThrow(/Permissions Violation/);
    await expect(js.consumers.get(store)).rejects.toThrow(/Permissions Violation/);
    for (const subject of [`$O.${OBJECT_STORES.resultOutput}.>`, resultOutputChunkSubject(bInfo.nuid), resultOutputMetaSubject(bKey)]) {
      expect(await refusedSubscribe(nc, subject)).toMatch(/Permissions Violation for Subscription/);
    }

    // The admin (the backend's side) reads B's object whole.
    const admin = await client({ authenticator: broker.creds(AUTH_FILES.adminCreds) });
    const got = await (await new Objm(jetstream(admin)).open(OBJECT_STORES.resultOutput)).getBlob(bKey);
    expect(new TextDecoder().decode(got ?? new Uint8Array())).toBe(secret);
  });

  it("lets an agent publish timeline events under its own pc_id only", async () => {
    const nc = await client(broker.agent("pc-a").connectOptions);
    const js = jetstream(nc);
    const own = { event_id: "0123456789abcdef0123456789abcdef", pc_id: "pc-a", kind: "script", at: new Date().toISOString(), name: "own.event" };
    const ack = await js.publish(subjects.pcEvent("pc-a", "script"), JSON.stringify(own), { msgID: own.event_id });
    expect(ack.stream).toBe(STREAMS.EVENTS);
    const forged = { ...own, event_id: "fedcba9876543210fedcba9876543210", pc_id: "pc-b" };
    await expect(js.publish(subjects.pcEvent("pc-b", "script"), JSON.stringify(forged), { msgID: forged.event_id })).rejects.toThrow(/Permissions Violation/);
    const stored = await waitFor(async () => {
      const r = await backend.api<{ items: { event_id: string; pc_id: string }[] }>("GET", "/api/events?kind=script");
      return r.body.items.length > 0 ? r.body.items : undefined;
    }, { what: "pc-a's event in the timeline" });
    expect(stored.map((e) => e.pc_id)).toEqual(["pc-a"]);
  });

  it("lets an agent ask the backend for its local users under its own pc_id only (KLP)", async () => {
    const nc = await client(broker.agent("pc-a").connectOptions);
    const seen = violations(nc);
    const reply = await nc.request(subjects.klpJobs("pc-a", "list"), JSON.stringify({ user: "uid:1000" }), { timeout: 5_000 });
    expect(reply.json()).toEqual({ ok: true, jobs: [] });
    const bundle = await nc.request(subjects.klpSupport("pc-a"), JSON.stringify({ user: "uid:1000" }), { timeout: 5_000 });
    expect(bundle.json()).toMatchObject({ ok: false, code: "BAD_REQUEST" });
    for (const op of ["list", "execute", "kill"] as const) await refusedPublish(nc, seen, subjects.klpJobs("pc-b", op));
    await refusedPublish(nc, seen, subjects.klpSupport("pc-b"));
  });

  it("lets the enrollment credential only ask to join", async () => {
    const nc = await client({ authenticator: broker.creds(AUTH_FILES.enrollCreds), inboxPrefix: subjects.enrollInboxPrefix() });
    const seen = violations(nc);
    for (const subject of [subjects.heartbeat("pc-x"), subjects.commandsAll(), subjects.result("x", "pc-x"), "$JS.API.INFO"]) {
      await refusedPublish(nc, seen, subject);
    }
    for (const subject of [subjects.commandsAll(), subjects.commandsPc("pc-x"), "_INBOX.>", subjects.agentPing("pc-x")]) {
      expect(await refusedSubscribe(nc, subject)).toMatch(/Permissions Violation for Subscription/);
    }
    nc.publish(subjects.enroll(), "{}");
    await nc.flush();
    expect(seen.some((e) => e.includes(`"${subjects.enroll()}"`))).toBe(false);
  });

  it("lets the break-glass admin credential do what the backend does", async () => {
    const nc = await client({ authenticator: broker.creds(AUTH_FILES.adminCreds) });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(STREAMS.AUDIT)).config.name).toBe(STREAMS.AUDIT);
  });
});
