/** Test harness: a real nats-server with the streams and buckets the backend would create. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { BUCKETS, execResultSchema, STREAMS, subjects, type ExecResult } from "@kanade/protocol";
import { startNatsServer, tempDir, testCommandKeys, waitFor, type NatsServer, type TempDir } from "@kanade/testkit";
import { startAgent, type AgentConfig, type RunningAgent } from "@kanade/agent";

export interface Env {
  server: NatsServer;
  nc: NatsConnection;
  jsm: JetStreamManager;
  kv: { groups: KV; current: KV; status: KV };
  dirs: TempDir[];
}

const DAY_NS = 86_400 * 1e9;

export interface EnvOptions {
  /** Makes the broker require this token (`--auth`); the env's own connection uses it. */
  token?: string;
}

export async function startEnv(opts: EnvOptions = {}): Promise<Env> {
  const server = await startNatsServer(opts.token ? { args: ["--auth", opts.token] } : {});
  const nc = await connect({ servers: server.url, ...(opts.token ? { token: opts.token } : {}) });
  const jsm = await jetstreamManager(nc);
  // As the backend makes it: direct get serves the replay of missed commands.
  await jsm.streams.add({ name: STREAMS.EXEC, subjects: ["commands.>"], max_msgs_per_subject: 1, max_age: 7 * DAY_NS, allow_direct: true });
  await jsm.streams.add({ name: STREAMS.RESULTS, subjects: ["results.>"] });
  await jsm.streams.add({ name: STREAMS.EVENTS, subjects: ["events.>"] });
  const kvm = new Kvm(nc);
  const kv = {
    groups: await kvm.create(BUCKETS.agentGroups),
    current: await kvm.create(BUCKETS.scriptCurrent),
    status: await kvm.create(BUCKETS.scriptStatus),
  };
  return { server, nc, jsm, kv, dirs: [] };
}

export async function stopEnv(env: Env | undefined): Promise<void> {
  if (!env) return;
  await env.nc.close();
  await env.server.dispose();
  for (const d of env.dirs) d.remove();
}

/** Starts the env for this test file (and stops it after); hooks registered later stop first. */
export function useEnv(opts: EnvOptions = {}): () => Env {
  let env: Env | undefined;
  beforeAll(async () => {
    env = await startEnv(opts);
  });
  afterAll(async () => {
    await stopEnv(env);
  });
  return () => {
    if (!env) throw new Error("env not started");
    return env;
  };
}

export const quietLog = pino({ level: process.env.KANADE_TEST_LOG ?? "silent" });

export function agentConfig(env: Env, pcId: string, dataDir?: string): AgentConfig {
  let dir = dataDir;
  if (!dir) {
    const t = tempDir("kanade-agent-");
    env.dirs.push(t);
    dir = t.path;
  }
  return { pcId, natsUrl: env.server.url, dataDir: dir, logLevel: "silent", heartbeatIntervalMs: 30_000, commandKeys: testCommandKeys().keys };
}

export function runAgent(env: Env, pcId: string, dataDir?: string): Promise<RunningAgent> {
  return startAgent(agentConfig(env, pcId, dataDir), { log: quietLog });
}

export interface CommandInput {
  script: string;
  shell?: string;
  job_id?: string;
  version?: string;
  timeout_secs?: number;
  jitter_secs?: number;
  deadline_at?: string;
  staleness?: Record<string, unknown>;
  cwd?: string;
  exec_id?: string;
  request_id?: string;
}

export function command(input: CommandInput): Record<string, unknown> {
  return {
    request_id: input.request_id ?? uuidv7(),
    exec_id: input.exec_id ?? uuidv7(),
    job_id: input.job_id ?? "test-job",
    version: input.version ?? "1.0.0",
    shell: input.shell ?? "sh",
    script: input.script,
    timeout_secs: input.timeout_secs ?? 30,
    ...(input.jitter_secs !== undefined ? { jitter_secs: input.jitter_secs } : {}),
    ...(input.deadline_at !== undefined ? { deadline_at: input.deadline_at } : {}),
    ...(input.staleness !== undefined ? { staleness: input.staleness } : {}),
    ...(input.cwd !== undefined ? { cwd: input.cwd } : {}),
    issued_at: new Date().toISOString(),
    issued_by: "test",
  };
}

/**
 * Publishes into EXEC the way the backend does (JetStream publish; core subscribers get it too), signed for
 * `subject` with the test process's command key; a string is sent as is (malformed or forged input).
 */
export async function publishCommand(env: Env, subject: string, cmd: Record<string, unknown> | string): Promise<void> {
  await jetstream(env.nc).publish(subject, typeof cmd === "string" ? cmd : JSON.stringify(testCommandKeys().signCommand(cmd, subject)));
}

/** How many results for an exec are in RESULTS (any pc). Works on nats-server 2.9 (no multi-filter consumers). */
export async function resultCount(env: Env, execId: string): Promise<number> {
  const info = await env.jsm.streams.info(STREAMS.RESULTS, { subjects_filter: `results.${execId}.>` });
  return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
}

export function waitResult(env: Env, execId: string, pcId: string, timeoutMs = 15_000): Promise<ExecResult> {
  return waitFor(
    async () => {
      const m = await env.jsm.streams.getMessage(STREAMS.RESULTS, { last_by_subj: subjects.result(execId, pcId) });
      return m ? execResultSchema.parse(m.json()) : undefined;
    },
    { timeoutMs, what: `result of ${execId} from ${pcId}` },
  );
}

export const execIdOf = (cmd: Record<string, unknown>): string => String(cmd.exec_id);

/** Resolves once the agent announced on `events.started.<exec>.<pc>` that the run began. */
export function waitStarted(env: Env, execId: string, pcId: string): Promise<unknown> {
  return waitFor(
    async () => (await env.jsm.streams.getMessage(STREAMS.EVENTS, { last_by_subj: subjects.started(execId, pcId) })) ?? undefined,
    { what: `the started event of ${execId}` },
  );
}

const AGENT_BIN = fileURLToPath(new URL("../bin/kanade-agent.js", import.meta.url));

/** The Node flags every real agent runs with (packages/agent/node-flags.json). */
export const AGENT_NODE_FLAGS = (JSON.parse(readFileSync(new URL("../node-flags.json", import.meta.url), "utf8")) as { flags: string[] }).flags;

/**
 * The built `kanade-agent` as its own process (so a test can SIGKILL it), configured by env and started
 * with the Node flags like a service; resolves once its first heartbeat arrived. `extraEnv` is added to
 * (and may override) it.
 */
export async function spawnAgentProcess(env: Env, pcId: string, dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  let beats = 0;
  const sub = env.nc.subscribe(subjects.heartbeat(pcId), { callback: () => void (beats += 1) });
  try {
    await env.nc.flush();
    const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, AGENT_BIN], {
      env: { ...process.env, KANADE_AGENT_ID: pcId, KANADE_NATS_URL: env.server.url, KANADE_AGENT_DATA_DIR: dataDir, KANADE_LOG: "warn", ...testCommandKeys().agentEnv, ...extraEnv },
      stdio: "ignore",
    });
    await waitFor(() => beats > 0 || child.exitCode !== null, { what: `a heartbeat from ${pcId}` });
    if (child.exitCode !== null) throw new Error(`kanade-agent ${pcId} exited with ${child.exitCode} while starting`);
    return child;
  } finally {
    sub.unsubscribe();
  }
}

/** Sends `signal` and resolves once the process has exited. */
export async function endProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}
