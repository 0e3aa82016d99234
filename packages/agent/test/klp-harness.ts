/** Helpers for the KLP tests: a real agent process with KLP on, raw socket clients, clients running as other uids. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { FrameDecoder, encodeFrame, KLP_PROTOCOL_VERSION } from "@kanade/protocol/klp";
import { tempDir, testCommandKeys, waitFor, type TempDir } from "@kanade/testkit";

const BIN = fileURLToPath(new URL("../bin/kanade-agent.js", import.meta.url));
const AS_USER = fileURLToPath(new URL("./fixtures/klp-as-user.mjs", import.meta.url));

export const IS_ROOT = process.getuid?.() === 0;
export const SELF_UID = process.getuid?.() ?? 0;

export interface KlpAgent {
  dir: TempDir;
  klpDir: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the agent logged so far (JSON lines). */
  log(): string;
  socketOf(uid: number): string;
  stop(): Promise<void>;
}

/** Starts `kanade-agent` with KLP on; as root, `uids` get a runtime dir (like logind's /run/user/<uid>) and so a socket. */
export async function startKlpAgent(natsUrl: string, pcId: string, uids: readonly number[]): Promise<KlpAgent> {
  const dir = tempDir("kanade-klp-");
  chmodSync(dir.path, 0o755); // other uids must reach <dir>/klp, which the agent makes 0711
  const klpDir = dir.join("klp");
  const usersDir = dir.join("users");
  mkdirSync(usersDir);
  for (const uid of uids) {
    mkdirSync(dir.join("users", String(uid)), { mode: 0o700 });
    if (IS_ROOT) chownSync(dir.join("users", String(uid)), uid, uid);
  }
  const child = spawn(process.execPath, [BIN], {
    env: {
      ...process.env,
      ...testCommandKeys().agentEnv,
      KANADE_AGENT_ID: pcId,
      KANADE_NATS_URL: natsUrl,
      KANADE_AGENT_DATA_DIR: dir.join("data"),
      KANADE_KLP: "on",
      KANADE_KLP_DIR: klpDir,
      KANADE_KLP_USERS_DIR: usersDir,
      KANADE_LOG: "info",
    },
  });
  let log = "";
  child.stderr.on("data", (d: Buffer) => (log += d.toString()));
  child.stdout.resume();
  const socketOf = (uid: number): string => `${klpDir}/${uid}.sock`;
  const expected = IS_ROOT ? [SELF_UID, ...uids] : [SELF_UID];
  await waitFor(() => child.exitCode === null && expected.every((u) => existsSync(socketOf(u))), { what: `KLP sockets for ${expected.join(", ")}`, timeoutMs: 30_000 });
  return {
    dir,
    klpDir,
    child,
    log: () => log,
    socketOf,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      dir.remove();
    },
  };
}

export interface RawConn {
  /** Decoded frames received so far (parsed JSON). */
  frames: unknown[];
  closed: Promise<void>;
  isClosed(): boolean;
  send(bytes: Buffer): void;
  /** Resolves with the next frame received after this call, or undefined when the connection closes first. */
  next(): Promise<unknown>;
  sendJson(message: unknown): void;
  end(): void;
}

/** A client that writes whatever bytes it is told to, for the refusal and fuzz tests. */
export async function rawConn(path: string): Promise<RawConn> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  const frames: unknown[] = [];
  let isClosed = false;
  let waiters: ((f: unknown) => void)[] = [];
  socket.on("data", (c: Buffer) => {
    for (const ev of decoder.push(c)) {
      if (ev.kind !== "frame") continue;
      const f: unknown = JSON.parse(ev.body.toString("utf8"));
      frames.push(f);
      const ws = waiters;
      waiters = [];
      for (const w of ws) w(f);
    }
  });
  socket.on("error", () => undefined); // EPIPE after the agent closed: expected in these tests
  const closed = new Promise<void>((resolve) =>
    socket.once("close", () => {
      isClosed = true;
      for (const w of waiters) w(undefined);
      waiters = [];
      resolve();
    }),
  );
  return {
    frames,
    closed,
    isClosed: () => isClosed,
    send: (b) => void (socket.writable && socket.write(b)),
    next: () => (isClosed ? Promise.resolve(undefined) : new Promise((r) => waiters.push(r))),
    sendJson: (m) => void (socket.writable && socket.write(encodeFrame(m))),
    end: () => socket.end(),
  };
}

export const handshake = (id: number | string = 0): unknown => ({
  jsonrpc: "2.0",
  id,
  method: "system.handshake",
  params: { protocol_version: KLP_PROTOCOL_VERSION, client_version: "0.0.1-test" },
});

export interface UserClient {
  hello: { user: string } | undefined;
  connectError: string | undefined;
  pushes: { push: string; params: { exec_id: string; state?: string; status?: string; text?: string } }[];
  call(method: string, params?: Record<string, unknown>): Promise<{ result?: unknown; error?: { code: number; message: string } }>;
  close(): Promise<void>;
}

/** A KLP client in a child process that runs as `uid` (needs root to switch). */
export async function clientAs(uid: number, path: string): Promise<UserClient> {
  const child = spawn(process.execPath, [AS_USER, String(uid), path], { stdio: ["pipe", "pipe", "inherit"] });
  const waiting = new Map<number, (v: { result?: unknown; error?: { code: number; message: string } }) => void>();
  const state: UserClient = {
    hello: undefined,
    connectError: undefined,
    pushes: [],
    call: (method, params) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        child.stdin.write(JSON.stringify({ id, method, params }) + "\n");
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin.end();
      await exited;
    },
  };
  let nextId = 1;
  let ready: () => void = () => undefined;
  const readyP = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const m = JSON.parse(line) as Record<string, unknown>;
    if ("hello" in m) {
      state.hello = m.hello as { user: string };
      ready();
    } else if ("connect_error" in m) {
      state.connectError = String(m.connect_error);
      ready();
    } else if ("push" in m) state.pushes.push(m as unknown as UserClient["pushes"][number]);
    else waiting.get(m.id as number)?.(m as { result?: unknown; error?: { code: number; message: string } });
  });
  child.once("exit", () => ready());
  await readyP;
  return state;
}
