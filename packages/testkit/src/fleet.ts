/** Runs the real backend and real agents in this process, wired to a test's nats-server. */
import { startAgent, type AgentConfig, type RunningAgent } from "@kanade/agent";
import { startBackend, type BackendConfig, type RunningBackend } from "@kanade/backend";
import { pino, type Logger } from "pino";
import { testCommandKeys } from "./command-keys.js";
import { tempDatabase } from "./database.js";
import { tempDir, type TempDir } from "./temp.js";

export const TEST_TOKEN = "test-token-0123456789abcdef-0123456789";

/** Quiet by default; `KANADE_TEST_LOG=debug` shows component logs while debugging a test. */
export function testLogger(name: string): Logger {
  return pino({ name, level: process.env.KANADE_TEST_LOG ?? "silent" });
}

export interface TestBackend extends RunningBackend {
  readonly token: string;
  /** The SQLite file, or the postgres:// URL under KANADE_TEST_DB=postgres (what `openDatabase` takes). */
  readonly dbPath: string;
  /** Authorized JSON fetch against the backend: `api("GET", "/api/jobs")`. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function startTestBackend(
  natsUrl: string,
  overrides: Partial<BackendConfig> & { dbPath?: string } = {},
): Promise<TestBackend> {
  const db = overrides.dbPath ? undefined : tempDatabase();
  const dbPath = overrides.dbPath ?? db!.target;
  const config: BackendConfig = {
    bindHost: "127.0.0.1",
    bindPort: 0,
    natsUrl,
    databaseUrl: db ? db.url : /^postgres(ql)?:/.test(dbPath) ? dbPath : `sqlite://${dbPath}`,
    authDisabled: false,
    staticToken: TEST_TOKEN,
    logLevel: "silent",
    commandKeysDir: testCommandKeys().dir,
    ...(db?.stateDir ? { stateDir: db.stateDir } : {}),
    ...overrides,
  };
  const backend = await startBackend(config, { log: testLogger("backend") });
  const token = config.staticToken ?? "";
  return {
    url: backend.url,
    port: backend.port,
    routes: backend.routes,
    token,
    dbPath,
    close: async () => {
      await backend.close();
      db?.remove();
    },
    api: async <T>(method: string, path: string, body?: unknown) => {
      const res = await fetch(`${backend.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}

export interface TestFleet {
  readonly agents: Map<string, RunningAgent>;
  readonly dataDir: TempDir;
  /** Starts (or restarts) one agent with its own data dir under the fleet's temp dir. */
  start(pcId: string, overrides?: Partial<AgentConfig>): Promise<RunningAgent>;
  stop(pcId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestFleet(natsUrl: string, pcIds: readonly string[], overrides: Partial<AgentConfig> = {}): Promise<TestFleet> {
  const dataDir = tempDir("kanade-fleet-");
  const agents = new Map<string, RunningAgent>();
  const start = async (pcId: string, more: Partial<AgentConfig> = {}): Promise<RunningAgent> => {
    const config: AgentConfig = {
      pcId,
      natsUrl,
      dataDir: dataDir.join(pcId),
      logLevel: "silent",
      heartbeatIntervalMs: 30_000,
      commandKeys: testCommandKeys().keys,
      ...overrides,
      ...more,
    };
    const agent = await startAgent(config, { log: testLogger(pcId) });
    agents.set(pcId, agent);
    return agent;
  };
  const stop = async (pcId: string): Promise<void> => {
    const a = agents.get(pcId);
    agents.delete(pcId);
    await a?.stop();
  };
  await Promise.all(pcIds.map((id) => start(id)));
  return {
    agents,
    dataDir,
    start,
    stop,
    close: async () => {
      await Promise.all([...agents.keys()].map(stop));
      dataDir.remove();
    },
  };
}
