/**
 * KLP against a real agent process, a real backend and real sockets: identity from the socket the kernel let a
 * client reach, runs that are real executions, and frames that are refused without taking the agent down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KLP_ERRORS, KLP_MAX_FRAME_BYTES } from "@kanade/protocol/klp";
import { KlpCallError, KlpClient } from "@kanade/protocol/klp-client";
import { startNatsServer, startTestBackend, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";
import { clientAs, handshake, IS_ROOT, rawConn, SELF_UID, startKlpAgent, type KlpAgent } from "./klp-harness.js";

const PC = "klp-pc";
const ALICE = 12345;
const BOB = 23456;
let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let agent: KlpAgent | undefined;

const job = (id: string, script: string, invokable: boolean | undefined) => ({
  id,
  version: "1.0.0",
  description: `${id} for the KLP test`,
  execute: { shell: "sh", script, timeout: "120s" },
  ...(invokable === undefined ? {} : { client: { user_invokable: invokable } }),
});

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  for (const j of [job("klp-sleep", "echo started\nsleep 60", true), job("klp-echo", "echo hello from klp", true), job("klp-admin", "echo admin only", false), job("klp-plain", "echo plain", undefined)]) {
    expect((await backend.api("POST", "/api/jobs", j)).status).toBe(201);
  }
  agent = await startKlpAgent(nats.url, PC, [ALICE, BOB]);
});

afterAll(async () => {
  await agent?.stop();
  await backend?.close();
  await nats?.dispose();
});

const a = (): KlpAgent => agent ?? (() => { throw new Error("agent not started"); })();
const api = <T>(method: string, path: string) => backend!.api<T>(method, path);
const own = (): Promise<KlpClient> => KlpClient.connect(a().socketOf(SELF_UID), { clientVersion: "0.0.1-test" });
const codeOf = async (p: Promise<unknown>): Promise<number | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof KlpCallError ? e.code : -1));

async function resultOf(execId: string): Promise<{ status: string; exit_code: number | null; stdout: string }> {
  return waitFor(async () => {
    const r = await api<{ items: { status: string; exit_code: number | null; stdout: string }[] }>("GET", `/api/results?exec_id=${execId}`);
    return r.body.items[0];
  }, { what: `a result for ${execId}`, timeoutMs: 30_000 });
}

describe("KLP identity and methods", () => {
  it("handshake names the caller as the OS says, and a claim in the payload is refused", async () => {
    const c = await own();
    try {
      expect(c.hello).toMatchObject({ protocol_version: 1, pc_id: PC, user: `uid:${SELF_UID}` });
      expect(await codeOf(c.call("system.handshake", { protocol_version: 1, client_version: "x", user: "uid:0" }))).toBe(KLP_ERRORS.INVALID_PARAMS);
      expect(await c.call("system.version")).toMatchObject({ protocol_version: 1 });
      const snap = (await c.call("state.snapshot")) as { online: boolean; client_version: string; health: { name: string; ok: boolean }[] };
      expect(snap.online).toBe(true);
      expect(snap.client_version).toBe("0.0.1-test");
      expect(snap.health.find((h) => h.name === "command_keys")?.ok).toBe(true);
      expect(await codeOf(c.call("no.such.method"))).toBe(KLP_ERRORS.METHOD_NOT_FOUND);
    } finally {
      c.close();
    }
  });

  it("a client speaking another protocol version gets StaleProtocol and is closed", async () => {
    const err = await KlpClient.connect(a().socketOf(SELF_UID), { clientVersion: "9.9.9", protocolVersion: 2 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KlpCallError);
    expect((err as KlpCallError).code).toBe(KLP_ERRORS.STALE_PROTOCOL);
  });

  it("nothing but the handshake is served before it", async () => {
    const c = await rawConn(a().socketOf(SELF_UID));
    c.sendJson({ jsonrpc: "2.0", id: 1, method: "jobs.list" });
    await waitFor(() => c.frames.length > 0, { what: "an answer" });
    expect(c.frames[0]).toMatchObject({ id: 1, error: { code: KLP_ERRORS.UNAUTHORIZED } });
    c.end();
  });

  it("lists only user-invokable jobs and refuses to run any other", async () => {
    const c = await own();
    try {
      const list = (await c.call("jobs.list")) as { jobs: { id: string }[] };
      expect(list.jobs.map((j) => j.id).sort()).toEqual(["klp-echo", "klp-sleep"]);
      expect(await codeOf(c.call("jobs.execute", { job_id: "klp-admin" }))).toBe(KLP_ERRORS.NOT_FOUND);
      expect(await codeOf(c.call("jobs.execute", { job_id: "klp-plain" }))).toBe(KLP_ERRORS.NOT_FOUND);
      expect(await codeOf(c.call("jobs.execute", { job_id: "no-such-job" }))).toBe(KLP_ERRORS.NOT_FOUND);
      const execs = await api<{ items: { job_id: string }[] }>("GET", "/api/executions");
      expect(execs.body.items.filter((e) => e.job_id === "klp-admin" || e.job_id === "klp-plain")).toEqual([]);
    } finally {
      c.close();
    }
  });
});

describe("refusals the backend makes", () => {
  it("a fleet freeze refuses a user's run with its reason (Unauthorized, not 'try again')", async () => {
    expect((await backend!.api("PUT", "/api/freeze", { reason: "quarter close" })).status).toBe(200);
    const c = await own();
    try {
      const err = await c.call("jobs.execute", { job_id: "klp-echo" }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KlpCallError);
      expect((err as KlpCallError).code).toBe(KLP_ERRORS.UNAUTHORIZED);
      expect((err as KlpCallError).message).toContain("quarter close");
    } finally {
      c.close();
      expect((await backend!.api("DELETE", "/api/freeze")).status).toBe(200);
    }
  });
});

describe("support bundles", () => {
  it("a user's bundle reaches the operators, audited, and a second one within a minute is refused", async () => {
    const c = await own();
    try {
      const { bundle_id: id } = (await c.call("support.upload_diagnostics", { note: "VPN drops every hour" })) as { bundle_id: string };
      expect(await codeOf(c.call("support.upload_diagnostics", {}))).toBe(KLP_ERRORS.RATE_LIMIT);
      const list = await api<{ items: { id: string; pc_id: string; user: string; note: string | null }[] }>("GET", `/api/support-bundles?pc_id=${PC}`);
      expect(list.body.items).toEqual([expect.objectContaining({ id, pc_id: PC, user: `uid:${SELF_UID}`, note: "VPN drops every hour" })]);
      const detail = await api<{ bundle: { state: { pc_id: string; online: boolean }; log_tail: string[]; runs: unknown[] } }>("GET", `/api/support-bundles/${id}`);
      expect(detail.status).toBe(200);
      expect(detail.body.bundle.state).toMatchObject({ pc_id: PC, online: true });
      expect(detail.body.bundle.log_tail.some((l) => l.includes("agent ready"))).toBe(true);
      const audit = await api<{ items: { actor: string; action: string; target: string }[] }>("GET", "/api/audit?action=support.upload");
      expect(audit.body.items).toEqual([expect.objectContaining({ actor: `klp:${PC}:uid:${SELF_UID}`, target: PC })]);
      expect((await api("GET", "/api/support-bundles/0190c7a2-1111-7000-8000-000000000000")).status).toBe(404);
    } finally {
      c.close();
    }
  });
});

describe.skipIf(!IS_ROOT)("two local users (needs root to create sockets for two uids and to drop to them)", () => {
  it("each sees only their own runs, cannot kill the other's, and the runs are real executions", async () => {
    const alice = await clientAs(ALICE, a().socketOf(ALICE));
    const bob = await clientAs(BOB, a().socketOf(BOB));
    try {
      expect(alice.hello?.user).toBe(`uid:${ALICE}`);
      expect(bob.hello?.user).toBe(`uid:${BOB}`);
      await alice.call("jobs.subscribe");
      await bob.call("jobs.subscribe");
      const aRun = (await alice.call("jobs.execute", { job_id: "klp-sleep" })).result as { exec_id: string };
      const bRun = (await bob.call("jobs.execute", { job_id: "klp-echo" })).result as { exec_id: string };
      expect(aRun.exec_id).toMatch(/^[0-9a-f-]{36}$/);
      await waitFor(() => alice.pushes.some((p) => p.params.exec_id === aRun.exec_id && p.params.state === "running"), { what: "alice's run to start", timeoutMs: 30_000 });
      expect((await resultOf(bRun.exec_id)).stdout).toBe("hello from klp\n");
      // Bob got his run's output pushed and can read it back; Alice can read neither (it answers as unknown).
      await waitFor(() => bob.pushes.some((p) => p.push === "jobs.output" && p.params.exec_id === bRun.exec_id && p.params.text === "hello from klp\n"), { what: "bob's output push" });
      expect((await bob.call("jobs.output", { exec_id: bRun.exec_id })).result).toEqual({ exec_id: bRun.exec_id, stdout: "hello from klp\n", stderr: "", truncated: false });
      expect((await alice.call("jobs.output", { exec_id: bRun.exec_id })).error?.code).toBe(KLP_ERRORS.NOT_FOUND);

      const aList = (await alice.call("jobs.list")).result as { runs: { exec_id: string }[] };
      const bList = (await bob.call("jobs.list")).result as { runs: { exec_id: string }[] };
      expect(aList.runs.map((r) => r.exec_id)).toEqual([aRun.exec_id]);
      expect(bList.runs.map((r) => r.exec_id)).toEqual([bRun.exec_id]);
      expect(alice.pushes.every((p) => p.params.exec_id === aRun.exec_id)).toBe(true);
      expect(bob.pushes.every((p) => p.params.exec_id === bRun.exec_id)).toBe(true);

      // Bob cannot kill Alice's run, and cannot reach Alice's socket either.
      expect((await bob.call("jobs.kill", { exec_id: aRun.exec_id })).error?.code).toBe(KLP_ERRORS.UNAUTHORIZED);
      const intruder = await clientAs(BOB, a().socketOf(ALICE));
      expect(intruder.connectError).toBe("EACCES");
      expect(alice.pushes.some((p) => p.params.exec_id === aRun.exec_id && p.params.state === "finished")).toBe(false);

      expect((await alice.call("jobs.kill", { exec_id: aRun.exec_id })).result).toEqual({ exec_id: aRun.exec_id, killing: true });
      expect((await resultOf(aRun.exec_id)).status).toBe("killed");
      await waitFor(() => alice.pushes.some((p) => p.params.exec_id === aRun.exec_id && p.params.status === "killed"), { what: "the kill to reach alice" });

      // The operator sees both runs, issued by the local users, and the audit trail names them.
      const exec = await api<{ issued_by: string; job_id: string }>("GET", `/api/executions/${aRun.exec_id}`);
      expect(exec.body).toMatchObject({ job_id: "klp-sleep", issued_by: `klp:${PC}:uid:${ALICE}` });
      const audit = await api<{ items: { actor: string; action: string }[] }>("GET", "/api/audit?limit=50");
      expect(audit.body.items.filter((r) => r.actor === `klp:${PC}:uid:${ALICE}`).map((r) => r.action).sort()).toEqual(["exec.create", "exec.kill"]);
      expect(audit.body.items.some((r) => r.actor === `klp:${PC}:uid:${BOB}` && r.action === "exec.create")).toBe(true);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

describe("refused frames", () => {
  it("a frame over 1 MiB gets PayloadTooLarge, the connection closes, the agent stays up", async () => {
    const c = await rawConn(a().socketOf(SELF_UID));
    const header = Buffer.alloc(4);
    header.writeUInt32LE(KLP_MAX_FRAME_BYTES + 1, 0);
    c.send(header);
    await c.closed;
    expect(c.frames).toEqual([{ jsonrpc: "2.0", id: null, error: { code: KLP_ERRORS.PAYLOAD_TOO_LARGE, message: expect.any(String) } }]);
    await expectAgentUp();
  });

  it("a frame of exactly 1 MiB is read (and answered) rather than refused for its size", async () => {
    const c = await rawConn(a().socketOf(SELF_UID));
    const text = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "system.handshake", params: { protocol_version: 1, client_version: "x" } });
    const body = Buffer.alloc(KLP_MAX_FRAME_BYTES, 0x20);
    body.write(text, 0, "utf8");
    const header = Buffer.alloc(4);
    header.writeUInt32LE(body.length, 0);
    c.send(Buffer.concat([header, body]));
    await waitFor(() => c.frames.length > 0, { what: "an answer" });
    expect(c.frames[0]).toMatchObject({ id: 7, result: { user: `uid:${SELF_UID}` } });
    c.end();
  });

  it("a frame that is not JSON, or not JSON-RPC, is answered with an error and closed", async () => {
    for (const [bytes, code] of [
      [Buffer.from("{not json"), KLP_ERRORS.PARSE_ERROR],
      [Buffer.from(JSON.stringify({ jsonrpc: "1.0", id: 1, method: "system.ping" })), KLP_ERRORS.INVALID_REQUEST],
      [Buffer.from(JSON.stringify([1, 2, 3])), KLP_ERRORS.INVALID_REQUEST],
    ] as const) {
      const c = await rawConn(a().socketOf(SELF_UID));
      const header = Buffer.alloc(4);
      header.writeUInt32LE(bytes.length, 0);
      c.send(Buffer.concat([header, bytes]));
      await c.closed;
      expect(c.frames).toHaveLength(1);
      expect(c.frames[0]).toMatchObject({ error: { code } });
    }
    await expectAgentUp();
    expect(a().log()).toContain("closing the connection");
  });

  it("more than 60 requests a minute on one connection are refused with RateLimit", async () => {
    const c = await rawConn(a().socketOf(SELF_UID));
    c.sendJson(handshake(0));
    for (let i = 1; i <= 70; i++) c.sendJson({ jsonrpc: "2.0", id: i, method: "system.ping" });
    await waitFor(() => c.frames.length === 71, { what: "71 answers" });
    const byId = new Map(c.frames.map((f) => [(f as { id: number }).id, f as { result?: unknown; error?: { code: number } }]));
    for (let i = 1; i <= 59; i++) expect(byId.get(i)?.result).toMatchObject({ pong: true });
    for (let i = 60; i <= 70; i++) expect(byId.get(i)?.error?.code).toBe(KLP_ERRORS.RATE_LIMIT);
    expect(c.isClosed()).toBe(false);
    c.end();
    await expectAgentUp();
  });
});

/** The agent process is alive and a fresh client is served. */
export async function expectAgentUp(): Promise<void> {
  expect(a().child.exitCode).toBeNull();
  const c = await own();
  try {
    expect(await c.call("system.ping")).toMatchObject({ pong: true });
  } finally {
    c.close();
  }
}
