/** Starts a real `nats-server -js` on a free port with its own store dir; stop and restart it at will. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./net.js";

export class NatsServerMissingError extends Error {
  constructor(bin: string) {
    super(
      `nats-server not found (tried "${bin}"). Install it with "apt-get install nats-server" ` +
        `or set KANADE_NATS_SERVER_BIN to its path.`,
    );
    this.name = "NatsServerMissingError";
  }
}

export interface NatsServerOptions {
  /** Port to listen on; a free one is chosen when omitted. Kept across restarts. */
  port?: number;
  /** JetStream store dir; a temp dir (removed on stop) when omitted. Kept across restarts. */
  storeDir?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /**
   * A config file (`nats-server -c`) that sets JetStream and its store dir itself; pass that dir as
   * `storeDir`. Port and address still come from the command line.
   */
  configFile?: string;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops the broker but keeps its store, so `start()` brings the same streams back. */
  stop(): Promise<void>;
  /** SIGKILLs the broker (no clean shutdown), keeping its store. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** What the broker printed since it last started (permission violations show here). */
  output(): string;
  /** The running broker's process id (benches read its CPU time); undefined while stopped. */
  pid(): number | undefined;
  /** Stops it and removes a temp store dir. */
  dispose(): Promise<void>;
}

export function natsServerBin(): string {
  return process.env.KANADE_NATS_SERVER_BIN ?? "nats-server";
}

/** The nats-server binary as an absolute path (PATH resolved), for tests that copy or install it. */
export function natsServerPath(): string {
  const bin = natsServerBin();
  if (bin.includes("/")) return bin;
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  const found = r.stdout.trim();
  if (r.status !== 0 || found === "") throw new NatsServerMissingError(bin);
  return found;
}

export function assertNatsServerInstalled(bin = natsServerBin()): void {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new NatsServerMissingError(bin);
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = natsServerBin();
  assertNatsServerInstalled(bin);
  const port = opts.port ?? (await freePort());
  const ownStore = opts.storeDir === undefined;
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), "kanade-nats-"));
  let child: ChildProcess | undefined;
  let log = "";

  const start = async (): Promise<void> => {
    if (child) return;
    log = "";
    const store = opts.configFile ? ["-c", opts.configFile] : ["-js", "-sd", storeDir];
    const args = ["-a", "127.0.0.1", "-p", String(port), ...store, ...(opts.args ?? [])];
    const c = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    c.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    c.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    child = c;
    const exited = new Promise<never>((_, reject) =>
      c.once("exit", (code) => reject(new Error(`nats-server exited with ${code} while starting:\n${log}`))),
    );
    await Promise.race([waitForPort(port, 15_000), exited]);
    // JetStream is ready once the server logs it; the port may open a moment earlier.
    const deadline = Date.now() + 15_000;
    while (!/Server is ready/.test(log) && Date.now() < deadline) await sleep(20);
    exited.catch(() => undefined);
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c) return;
    child = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((resolve) => c.once("exit", () => resolve()));
    c.kill(signal);
    const t = setTimeout(() => c.kill("SIGKILL"), 5_000);
    await done;
    clearTimeout(t);
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: () => halt("SIGTERM"),
    output: () => log,
    pid: () => child?.pid,
    kill: () => halt("SIGKILL"),
    start,
    dispose: async () => {
      await halt("SIGTERM");
      if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
