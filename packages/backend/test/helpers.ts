/**
 * Shared test harness: a real backend on port 0 against a test's nats-server, with a temp SQLite file —
 * or, under KANADE_TEST_DB=postgres (`npm run test:backend:pg`), a fresh PostgreSQL database of its own.
 */
import { afterAll, beforeAll } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { sampleResult, startNatsServer, tempDatabase, testCommandKeys, type NatsServer } from "@kanade/testkit";
import type { ExecResult } from "@kanade/protocol";
import { v7 as uuidv7 } from "uuid";
import { pino, type Logger } from "pino";
import { startBackend, type BackendConfig, type RunningBackend } from "../src/index.js";

export const TOKEN = "backend-test-token-0123456789abcdef";

export interface Api {
  (method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown; text: string }>;
}

export interface TestBackend extends RunningBackend {
  api: Api;
  dbUrl: string;
}

export const quietLog = (): Logger => pino({ level: process.env.KANADE_TEST_LOG ?? "silent" });

export async function startTestBackend(
  natsUrl: string,
  overrides: Partial<BackendConfig> = {},
  deps: { clock?: () => Date } = {},
): Promise<TestBackend & { removeDb(): void }> {
  const db = tempDatabase();
  const config: BackendConfig = {
    bindHost: "127.0.0.1",
    bindPort: 0,
    natsUrl,
    databaseUrl: db.url,
    authDisabled: false,
    staticToken: TOKEN,
    logLevel: "silent",
    commandKeysDir: testCommandKeys().dir,
    ...(db.stateDir ? { stateDir: db.stateDir } : {}),
    ...overrides,
  };
  const backend = await startBackend(config, { log: quietLog(), ...deps });
  return { ...wrap(backend, config.staticToken), dbUrl: config.databaseUrl, removeDb: db.remove };
}

export function wrap(backend: RunningBackend, token: string | undefined): TestBackend {
  const api: Api = async (method, path, body, headers = {}) => {
    const isText = typeof body === "string";
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": isText ? "application/yaml" : "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: isText ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      parsed = undefined; // not JSON (e.g. text/yaml); callers read `text`
    }
    return { status: res.status, body: parsed, text };
  };
  return { url: backend.url, port: backend.port, routes: backend.routes, close: () => backend.close(), api, dbUrl: "" };
}

export function natsClient(url: string): Promise<NatsConnection> {
  return connect({ servers: url, name: "backend-test" });
}

export interface BackendEnv {
  server: NatsServer;
  backend: TestBackend & { removeDb(): void };
  nc: NatsConnection;
}

/**
 * Registers beforeAll/afterAll hooks that start a nats-server, a test backend against it and a client
 * connection, and tear them down in reverse order (tolerating a setup that failed part way).
 * Call it before a file's own hooks: vitest runs afterAll hooks in reverse, so this cleanup runs last.
 * Returns a getter for the environment, valid once the hooks have run.
 */
export function useBackendEnv(overrides: Partial<BackendConfig> = {}, deps: { clock?: () => Date } = {}): () => BackendEnv {
  let server: NatsServer | undefined;
  let backend: (TestBackend & { removeDb(): void }) | undefined;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
    backend = await startTestBackend(server.url, overrides, deps);
    nc = await natsClient(server.url);
  });
  afterAll(async () => {
    await nc?.close();
    await backend?.close();
    backend?.removeDb();
    await server?.dispose();
  });
  return () => {
    if (!server || !backend || !nc) throw new Error("useBackendEnv: the environment is not set up (use it inside tests or hooks)");
    return { server, backend, nc };
  };
}

export const HELLO_YAML = `id: hello
version: 1.0.0
description: Say hello
execute:
  shell: sh
  script: |
    echo "hello"
  timeout: 30s
`;

/** A valid ExecResult as an agent would publish it. */
export function makeResult(execId: string, pcId: string, over: Partial<ExecResult> = {}): ExecResult {
  return sampleResult({
    result_id: uuidv7(),
    exec_id: execId,
    request_id: uuidv7(),
    pc_id: pcId,
    stdout: `hello from ${pcId}
second line`,
    started_at: "2026-01-01T00:00:00.000Z",
    finished_at: "2026-01-01T00:00:01.500Z",
    ...over,
  });
}


/** What `openDatabase` takes for a backend's DATABASE_URL: the SQLite file's path, or the postgres:// URL itself. */
export function dbTarget(databaseUrl: string): string {
  return databaseUrl.startsWith("sqlite://") ? databaseUrl.slice("sqlite://".length) : databaseUrl;
}
