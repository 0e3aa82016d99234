/**
 * Shared by the benches: the workspace binaries run as child processes (as an operator would), a real
 * nats-server + backend on a free port with simulated agents, an authorized JSON API client, and the
 * figures of a child read from /proc (Linux).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort, REPO_ROOT, startNatsServer, tempDir, waitFor, type NatsServer, type TempDir } from "@kanade/testkit";

/** `BENCH_CPU_PROF=<dir>`: every child writes a V8 CPU profile there when it exits (open it in Chrome DevTools). */
const profileArgs = (): string[] => (process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : []);

export function spawnBin(pkg: string, bin: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...profileArgs(), ...nodeArgs, `${REPO_ROOT}packages/${pkg}/bin/${bin}.js`, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
}

/** The public command keys a backend made beside its database (`command-keys/command-keys.json`), as KANADE_COMMAND_KEYS. */
export function backendCommandKeys(dbPath: string): string {
  const set = JSON.parse(readFileSync(join(dirname(dbPath), "command-keys", "command-keys.json"), "utf8")) as { keys: { public_key: string }[] };
  return set.keys.map((k) => k.public_key).join(",");
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the child has exited. */
export async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once("exit", r));
  c.kill("SIGTERM");
  const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(t);
}

/** Nearest-rank percentile `p` (0–100) of `xs`; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

const CLK_TCK = 100; // Linux USER_HZ

/** CPU seconds (user + system) of a process: fields 14 and 15 of /proc/<pid>/stat, after the `(comm)` field. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds of each named process, read at one moment. */
export type CpuReading = Record<string, number>;

/** What each process used between two readings, in ms, and their sum (`total`). */
export function cpuSpent(before: CpuReading, after: CpuReading): { total: number; split: Record<string, number> } {
  const split: Record<string, number> = {};
  for (const k of Object.keys(after)) split[k] = Math.round(((after[k] ?? 0) - (before[k] ?? 0)) * 1000);
  return { total: Object.values(split).reduce((a, b) => a + b, 0), split };
}

/** Resident (`VmRSS`) or peak resident (`VmHWM`) memory of a process in KiB, from /proc/<pid>/status. */
export function memKiB(pid: number, key: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? NaN);
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "HttpError";
  }
}

/** One authorized JSON call; a string body is sent as is (with `contentType`), anything else as JSON. */
export type Api = <T>(method: string, path: string, body?: unknown, contentType?: string) => Promise<T>;

export function apiClient(base: string, token: string): Api {
  return async <T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": contentType }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    if (!res.ok) throw new HttpError(res.status, `${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/** Waits until `GET /api/agents` lists at least `n` agents online. */
export async function waitAgentsOnline(api: Api, n: number, opts: { timeoutMs: number; intervalMs: number }): Promise<void> {
  await waitFor(
    async () => (await api<{ items: { online: boolean }[] }>("GET", "/api/agents")).items.filter((a) => a.online).length >= n,
    { ...opts, what: `${n} simulated agents online` },
  );
}

/**
 * Thousands of PCs in one process churn through short-lived objects per message; a young generation
 * larger than V8's default keeps them out of the old one, where collecting them costs far more.
 */
const SIMULATOR_NODE_ARGS = ["--max-semi-space-size=64"];

export interface Bench {
  readonly nats: NatsServer;
  readonly dir: TempDir;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly api: Api;
  readonly backend: ChildProcess;
  /** The backend's SQLite file. */
  readonly dbPath: string;
  /** Starts `kanade-agent simulate --count <count> ...args`; it is stopped (before the backend) when the bench ends. */
  simulate(count: number, args?: string[]): ChildProcess;
}

/**
 * Runs `body` against a fresh nats-server and a backend process (static token `token`, SQLite in a temp
 * dir named `prefix…`) that answers /health; then stops the simulators, the backend and the broker and
 * removes the temp dir, whatever happened.
 */
export async function withBackend<T>(prefix: string, token: string, body: (bench: Bench) => Promise<T>): Promise<T> {
  const nats = await startNatsServer();
  const dir = tempDir(prefix);
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dbPath = dir.join("kanade.db");
    const backend = spawnBin("backend", "kanade-backend", [], {
      KANADE_BIND_ADDR: `127.0.0.1:${port}`,
      KANADE_NATS_URL: nats.url,
      DATABASE_URL: `sqlite://${dbPath}`,
      KANADE_AUTH_STATIC_TOKEN: token,
      KANADE_LOG: "warn",
    });
    children.push(backend);
    await waitFor(() => fetch(`${base}/health`).then((r) => r.ok), { timeoutMs: 30_000, what: "backend" });
    const simulate = (count: number, args: string[] = []): ChildProcess => {
      const sim = spawnBin("agent", "kanade-agent", ["simulate", "--count", String(count), ...args], {
        KANADE_NATS_URL: nats.url,
        KANADE_AGENT_DATA_DIR: dir.join("sim"),
        KANADE_LOG: "warn",
        KANADE_COMMAND_KEYS: backendCommandKeys(dbPath),
      }, SIMULATOR_NODE_ARGS);
      children.push(sim);
      return sim;
    };
    return await body({ nats, dir, port, base, api: apiClient(base, token), backend, dbPath, simulate });
  } finally {
    for (const c of children.reverse()) await stopChild(c);
    await nats.dispose();
    dir.remove();
  }
}
