import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "@kanade/testkit";
import { listen } from "../test/fixtures.js";
import { createCliApi, type ClientConfig } from "./api.js";
import { CliError, exitCodeFor } from "./errors.js";

type Answer = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

const servers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of servers.splice(0)) await close();
});

/** A real HTTP server, answering with `answer` once it has read the whole request (or at once). */
async function serve(answer: Answer, readBody = true): Promise<string> {
  const server = await listen((req, res) => {
    if (!readBody) return answer(req, res, Buffer.alloc(0));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => answer(req, res, Buffer.concat(chunks)));
  });
  servers.push(server.close);
  return server.url;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};
const unauthorized = (_req: IncomingMessage, res: ServerResponse): void =>
  json(res, 401, { error: { code: "UNAUTHORIZED", message: "Missing or invalid bearer token" } });

async function failure(p: Promise<unknown>): Promise<CliError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe("the CLI's API client", () => {
  it("says how to get a token the backend accepts, by where the refused one came from", async () => {
    const baseUrl = await serve(unauthorized);
    const message = async (config: ClientConfig): Promise<string> => (await failure(createCliApi(config).call("listJobs"))).message;
    expect(await message({ baseUrl, token: undefined })).toBe(
      "Missing or invalid bearer token — the backend needs a token: run `kanade login`, or set KANADE_AUTH_TOKEN",
    );
    expect(await message({ baseUrl, token: "t", tokenSource: "env" })).toBe(
      "Missing or invalid bearer token — the backend refused KANADE_AUTH_TOKEN; set it to a valid token",
    );
    expect(await message({ baseUrl, token: "t", tokenSource: "login" })).toMatch(/refused the session saved by `kanade login`.*run `kanade login` again$/);
    // A refused login is a wrong password, not a token to fix.
    const login = await failure(createCliApi({ baseUrl, token: undefined }).call("login", { body: { username: "u", password: "p" } }));
    expect(login).toMatchObject({ code: "UNAUTHORIZED", status: 401, message: "Missing or invalid bearer token" });
    expect(exitCodeFor(login)).toBe(1);
  });

  it("names the URL and the root cause when the backend cannot be reached", async () => {
    const port = await freePort();
    const err = await failure(createCliApi({ baseUrl: `http://127.0.0.1:${port}`, token: undefined }).call("listJobs"));
    expect(err.code).toBe("NETWORK");
    expect(err.message).toMatch(new RegExp(`^cannot reach kanade-backend at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(exitCodeFor(err)).toBe(1);
  });

  it("refuses an answer that breaks the route's schema, naming the field", async () => {
    const baseUrl = await serve((_req, res) => json(res, 200, { items: [{ id: "hello", version: 1 }], next_cursor: null }));
    const err = await failure(createCliApi({ baseUrl, token: undefined }).call("listJobs"));
    expect(err.code).toBe("BAD_RESPONSE");
    expect(err.message).toMatch(/^GET \/api\/jobs: the answer does not match its schema at items\.0\.version/);
    expect(exitCodeFor(err)).toBe(1);
  });

  it("keeps the API's code, status and details, printing repeated details once", async () => {
    const baseUrl = await serve((_req, res) =>
      json(res, 400, {
        error: {
          code: "INVALID_CONFIG",
          message: "The configuration is invalid:\nheartbeat_interval: expected a duration",
          details: [{ path: "heartbeat_interval", message: "expected a duration" }],
        },
      }),
    );
    const err = await failure(createCliApi({ baseUrl, token: undefined }).call("patchGlobalConfig", { body: { heartbeat_interval: "x" } }));
    expect(err).toMatchObject({ code: "INVALID_CONFIG", status: 400, message: "The configuration is invalid", details: [{ path: "heartbeat_interval", message: "expected a duration" }] });
    expect(exitCodeFor(err)).toBe(2);
  });

  it("sends streamed uploads with node:http, not with fetch", async () => {
    const stored = { key: "tool/1.0.0", name: "tool", version: "1.0.0", size: 5, digest: "SHA-256=x", sha256: "ab", mtime: "2026-01-31T09:00:00Z" };
    const seen: string[] = [];
    const baseUrl = await serve((req, res, body) => {
      seen.push(`${req.method} ${req.url} ${req.headers["content-length"]} ${req.headers.authorization} ${body.toString("utf8")}`);
      json(res, 201, stored);
    });
    const refusing: typeof fetch = () => Promise.reject(new Error("global fetch must not carry uploads"));
    const api = createCliApi({ baseUrl, token: "t0k" }, { fetch: refusing });
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("hel");
      yield Buffer.from("lo");
    }
    const answer = await api.call("uploadScriptObject", { params: { name: "tool", version: "1.0.0" }, query: { force: true }, body: { data: chunks(), size: 5 } });
    expect(answer).toEqual(stored);
    expect(seen).toEqual(["POST /api/script-objects/tool/1.0.0?force=true 5 Bearer t0k hello"]);
  });

  it("reports the backend's early answer to an upload, not the broken write that follows", async () => {
    // Answers 409 before reading the body, then drops the connection while 64 MiB are still to go.
    const baseUrl = await serve((_req, res) => {
      res.writeHead(409, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: { code: "CONFLICT", message: "tool/1.0.0 is already published in scripts" } }));
    }, false);
    async function* big(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 1024; i++) yield new Uint8Array(64 * 1024);
    }
    const err = await failure(
      createCliApi({ baseUrl, token: undefined }).call("uploadScriptObject", { params: { name: "tool", version: "1.0.0" }, body: { data: big(), size: 64 * 1024 * 1024 } }),
    );
    expect(err).toMatchObject({ code: "CONFLICT", status: 409, message: "tool/1.0.0 is already published in scripts" });
  });
});
