/**
 * The agent's half of KLP on Windows, for real on Linux: the KLP server runs pipeRelay, which starts a relay
 * child process and speaks the mux framing with it over the child's stdin/stdout; real KLP clients talk to
 * the sessions through it. The child is a stand-in (fixtures/klp-relay-standin.mjs), not powershell.exe: it
 * listens on Unix sockets and says a fixed SID per socket where the PowerShell relay reads the client's token.
 * So this proves the agent side — process handling, demux, one KLP session per pipe client under
 * `sid:S-1-…`, users kept apart, failures logged without taking the agent down — and nothing about Windows
 * pipes, DACLs or tokens (docs/reference/klp.md, Windows).
 */
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { KLP_ERRORS } from "@kanade/protocol/klp";
import { KlpCallError, KlpClient } from "@kanade/protocol/klp-client";
import { tempDir, waitFor } from "@kanade/testkit";
import { faults } from "../src/klp/faults.js";
import type { BackendGateway } from "../src/klp/backend-gateway.js";
import { RunRegistry } from "../src/klp/runs.js";
import { startKlpServer, type KlpServer } from "../src/klp/server.js";
import { SupportUploads } from "../src/klp/support.js";
import { pipeRelay } from "../src/platform/klp-relay.js";

const STANDIN = fileURLToPath(new URL("./fixtures/klp-relay-standin.mjs", import.meta.url));
const ALICE = "S-1-5-21-1111111111-2222222222-3333333333-1001";
const BOB = "S-1-5-21-1111111111-2222222222-3333333333-1002";
const BIG_DETAIL = "z".repeat(150_000);
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Served {
  server: KlpServer | undefined;
  logs: () => { msg: string; [k: string]: unknown }[];
  socket: (name: string) => string;
}

/** The KLP server in this process with its Windows endpoints, the relay being the stand-in run with `args`. */
async function serve(args: (sock: (name: string) => string) => string[], retryMs = 60_000, startWaitMs?: number): Promise<Served> {
  const dir = tempDir("kanade-klp-relay-");
  cleanup.push(() => dir.remove());
  const lines: string[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, done) => (lines.push(...c.toString().split("\n").filter(Boolean)), done()) });
  const log = pino({ level: "debug" }, sink);
  const runs = new RunRegistry();
  let n = 0;
  const backend: BackendGateway = {
    catalog: () => Promise.resolve([]),
    execute: () => Promise.resolve(`0190c7a2-1111-7000-8000-00000000000${n++}`),
    kill: () => Promise.resolve(),
    uploadSupport: () => Promise.reject(faults.disconnected()),
  };
  const socket = (name: string): string => dir.join(`${name}.sock`);
  const server = await startKlpServer(
    { dir: dir.join("unused"), usersDir: dir.join("unused"), pipe: "\\\\.\\pipe\\kanade-test" },
    {
      pcId: "pc-1",
      agentVersion: "1.2.3",
      runs,
      backend,
      support: new SupportUploads({ backend, runs, agentVersion: "1.2.3", logTail: () => [] }),
      state: () => ({ pc_id: "pc-1", online: true, agent_version: "1.2.3", health: [{ name: "broker", ok: true, detail: BIG_DETAIL }], pending_updates: [] }),
    },
    log,
    (opts) => pipeRelay({ ...opts, command: { file: process.execPath, args: [STANDIN, ...args(socket)] }, retryMs, ...(startWaitMs ? { startWaitMs } : {}) }),
  );
  cleanup.push(() => server?.stop());
  return { server, socket, logs: () => lines.map((l) => JSON.parse(l) as { msg: string }) };
}

const client = async (path: string): Promise<KlpClient> => {
  const c = await KlpClient.connect(path, { clientVersion: "2.0.0", clientName: "kanade-client" });
  cleanup.push(() => c.close());
  return c;
};
const codeOf = (p: Promise<unknown>): Promise<number | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof KlpCallError ? e.code : -1));

describe.skipIf(process.platform === "win32")("KLP over the Windows relay's mux (stand-in relay child on Linux)", () => {
  it("serves each pipe client as the SID the relay read, and keeps users' runs apart", async () => {
    const s = await serve((sock) => ["serve", `${sock("alice")}=${ALICE}`, `${sock("bob")}=${BOB}`, `${sock("anon")}=S-1-5-7`]);
    expect(s.server).toBeDefined();
    expect(s.logs().map((l) => l.msg)).toContain("klp: named pipe ready");
    await waitFor(() => existsSync(s.socket("alice")) && existsSync(s.socket("bob")), { what: "the stand-in's sockets" });
    const alice = await client(s.socket("alice"));
    const bob = await client(s.socket("bob"));
    expect(alice.hello?.user).toBe(`sid:${ALICE}`);
    expect(bob.hello?.user).toBe(`sid:${BOB}`);
    const { exec_id } = (await alice.call("jobs.execute", { job_id: "fix-vpn" })) as { exec_id: string };
    expect(((await alice.call("jobs.list")) as { runs: { exec_id: string }[] }).runs.map((r) => r.exec_id)).toEqual([exec_id]);
    expect(((await bob.call("jobs.list")) as { runs: unknown[] }).runs).toEqual([]);
    expect(await codeOf(bob.call("jobs.kill", { exec_id }))).toBe(KLP_ERRORS.UNAUTHORIZED);
    // An anonymous token gets no session at all: the agent tells the relay to drop it.
    await expect(client(s.socket("anon"))).rejects.toThrow(/closed/i);
    expect(s.logs().find((l) => l.msg.startsWith("klp: pipe client refused"))).toMatchObject({ sid: "S-1-5-7" });
    // A 150 KB answer crosses the mux in three DATA frames and arrives whole.
    const snap = (await alice.call("state.snapshot")) as { health: { detail: string }[] };
    expect(snap.health[0]!.detail).toBe(BIG_DETAIL);
  });

  it("carries frames larger than one mux frame, and a bad KLP frame closes only that client", async () => {
    const s = await serve((sock) => ["serve", `${sock("alice")}=${ALICE}`]);
    await waitFor(() => existsSync(s.socket("alice")), { what: "the stand-in's socket" });
    const alice = await client(s.socket("alice"));
    const big = "y".repeat(150_000);
    expect(await codeOf(alice.call("system.ping", { pad: big }))).toBe(KLP_ERRORS.INVALID_PARAMS);
    // A raw client announcing a 2 MiB frame: PayloadTooLarge, then the agent ends that connection.
    const raw = connect(s.socket("alice"));
    const got: Buffer[] = [];
    raw.on("data", (c: Buffer) => got.push(c));
    const closed = new Promise<void>((r) => raw.on("close", () => r()));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(2 * 1024 * 1024);
    raw.write(head);
    await closed;
    expect(Buffer.concat(got).subarray(4).toString()).toContain(String(KLP_ERRORS.PAYLOAD_TOO_LARGE));
    expect(await alice.call("system.ping")).toMatchObject({ pong: true });
  });

  it("holds one user to 16 connections; a client that leaves frees its place; stop() ends the relay child", async () => {
    const s = await serve((sock) => ["serve", `${sock("alice")}=${ALICE}`]);
    await waitFor(() => existsSync(s.socket("alice")), { what: "the stand-in's socket" });
    const ready = s.logs().find((l) => l.msg === "klp: named pipe ready") as unknown as { pid: number };
    const first = await Promise.all(Array.from({ length: 16 }, () => client(s.socket("alice"))));
    await expect(client(s.socket("alice"))).rejects.toThrow(/closed/i);
    expect(s.logs().find((l) => l.msg === "klp: too many connections from one user; refused")).toMatchObject({ user: `sid:${ALICE}` });
    for (const c of first) c.close();
    // The relay's CLOSE for each ends its session: sixteen fit again.
    await waitFor(async () => {
      const c = await client(s.socket("alice")).catch(() => undefined);
      c?.close();
      return c !== undefined;
    }, { what: "a place for alice again" });
    const again = await Promise.all(Array.from({ length: 15 }, () => client(s.socket("alice"))));
    expect(await again[14]!.call("system.ping")).toMatchObject({ pong: true });
    await s.server?.stop();
    expect(() => process.kill(ready.pid, 0)).toThrow();
  });

  it("logs `klp: relay unavailable` with the relay's reason when it cannot take the pipe, and the agent goes on", async () => {
    const s = await serve(() => ["fail"]);
    expect(s.server).toBeDefined();
    const warn = s.logs().find((l) => l.msg.startsWith("klp: relay unavailable")) as { reason?: string; exit_code?: number } | undefined;
    expect(warn).toMatchObject({ reason: expect.stringMatching(/belongs to S-1-5-21-9-9-9-1001/) as unknown, exit_code: 1 });
    expect(s.logs().map((l) => l.msg)).not.toContain("klp: local protocol ready");
  });

  it("a relay that exits at once (Wine's stub powershell.exe) is retried, each time logged", async () => {
    const s = await serve(() => ["silent"], 200);
    await waitFor(() => s.logs().filter((l) => l.msg.startsWith("klp: relay unavailable")).length >= 2, { what: "two failed starts" });
    expect(s.logs().find((l) => l.msg.startsWith("klp: relay unavailable"))).toMatchObject({ exit_code: 0, retry_in_ms: 200 });
  });

  it("the agent's start does not wait for a slow relay; its pipe is served once it is up", async () => {
    const s = await serve((sock) => ["slow", "1500", `${sock("alice")}=${ALICE}`], 60_000, 100);
    expect(s.logs().map((l) => l.msg)).toContain("klp: the relay has not opened the pipe yet; the agent carries on and serves it when it does");
    expect(s.logs().map((l) => l.msg)).not.toContain("klp: named pipe ready");
    await waitFor(() => s.logs().some((l) => l.msg === "klp: named pipe ready") && existsSync(s.socket("alice")), { what: "the slow relay's pipe" });
    expect((await client(s.socket("alice"))).hello?.user).toBe(`sid:${ALICE}`);
  });

  it("a relay that does not stop when its stdin ends is killed by stop()", async () => {
    const s = await serve(() => ["stubborn"]);
    const ready = s.logs().find((l) => l.msg === "klp: named pipe ready") as unknown as { pid: number };
    await s.server?.stop();
    expect(() => process.kill(ready.pid, 0)).toThrow();
  });

  it("a relay that writes garbage is stopped and logged; the agent carries on", async () => {
    const s = await serve((sock) => ["garbage", `${sock("alice")}=${ALICE}`]);
    await waitFor(() => s.logs().some((l) => l.msg === "klp: the relay exited; the named pipe is closed until it is started again"), { what: "the relay's end" });
    expect(s.logs().find((l) => l.msg === "klp: the relay broke the mux protocol; stopping it")).toMatchObject({ reason: "unknown frame type 238" });
  });
});
