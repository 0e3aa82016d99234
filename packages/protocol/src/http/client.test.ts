import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import type { ExecutionView } from "../api.js";
import { ApiError } from "./api-error.js";
import { createApiClient } from "./client.js";
import type { CallResult } from "./types.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
type Answer = (seen: Seen, res: ServerResponse) => void;

const EXEC_ID = "01936f0e-8a4b-7c21-9a55-3f0c2b1d4e6f";
const SUMMARY = {
  exec_id: EXEC_ID,
  job_id: "hello",
  version: "1.0.0",
  state: "running",
  target: { pcs: ["pc-1"] },
  target_count: 1,
  created_at: "2026-01-31T09:00:00.000Z",
  issued_by: "otto",
  counts: { total: 1, pending: 0, running: 1, done: 0, succeeded: 0, failed: 0, timed_out: 0, killed: 0, skipped: 0, error: 0 },
};
const STORED = { key: "tool/1.0.0", name: "tool", version: "1.0.0", size: 5, digest: "SHA-256=x", sha256: "ab", mtime: "2026-01-31T09:00:00Z" };

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

/** A real HTTP server on a free port; each test says how it answers and reads what it saw. */
async function startServer(answer: Answer): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s: Seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
async function serve(answer: Answer) {
  const s = await startServer(answer);
  closers.push(s.close);
  return s;
}

/** The rejection of `p`, which must be an ApiError. */
async function failure(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("createApiClient", () => {
  it("builds the request from the table and returns the typed, validated answer", async () => {
    const s = await serve((_seen, res) => sendJson(res, 200, { ...SUMMARY, extra_field_from_a_newer_backend: 1 }));
    const api = createApiClient({ baseUrl: `${s.url}/`, token: "tok-1" });
    const e = await api.call("getExecution", { params: { exec_id: EXEC_ID }, query: { rows: false } });
    expectTypeOf(e).toEqualTypeOf<ExecutionView>();
    expect(e).toEqual(SUMMARY);
    expect(s.seen[0]).toMatchObject({ method: "GET", url: `/api/executions/${EXEC_ID}?rows=false` });
    expect(s.seen[0]!.headers.authorization).toBe("Bearer tok-1");
    expect(s.seen[0]!.headers.accept).toBe("application/json");
  });

  it("encodes each path param and sends JSON bodies as JSON", async () => {
    const s = await serve((seen, res) => sendJson(res, 200, { bucket: "jobs", key: "a/b c", revision: 7 }));
    const api = createApiClient({ baseUrl: s.url, token: () => null });
    const r = await api.call("putKvEntry", { params: { bucket: "jobs", key: "a/b c" }, body: { value: "x" } });
    expect(r.revision).toBe(7);
    expect(s.seen[0]).toMatchObject({ method: "PUT", url: "/api/jetstream/kv/jobs/a%2Fb%20c" });
    expect(s.seen[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(s.seen[0]!.body.toString("utf8"))).toEqual({ value: "x" });
    expect(s.seen[0]!.headers.authorization).toBeUndefined();
  });

  it("throws the API error body as an ApiError with its typed code, status and details", async () => {
    const s = await serve((_seen, res) =>
      sendJson(res, 404, { error: { code: "JOB_NOT_FOUND", message: 'No job "nope"', details: [{ path: "id", message: "unknown" }] } }),
    );
    const err = await failure(createApiClient({ baseUrl: s.url }).call("getJob", { params: { id: "nope" } }));
    expect(err.code).toBe("JOB_NOT_FOUND");
    expect(err.status).toBe(404);
    expect(err.message).toBe('No job "nope"');
    expect(err.details).toEqual([{ path: "id", message: "unknown" }]);
  });

  it("tells the app about a 401 before throwing", async () => {
    const s = await serve((_seen, res) => sendJson(res, 401, { error: { code: "UNAUTHORIZED", message: "Invalid or expired bearer token" } }));
    const seen: string[] = [];
    const api = createApiClient({ baseUrl: s.url, token: "old", onUnauthorized: (e) => seen.push(e.code) });
    expect((await failure(api.call("getMe"))).code).toBe("UNAUTHORIZED");
    expect(seen).toEqual(["UNAUTHORIZED"]);
  });

  it("refuses an answer that breaks its schema as BAD_RESPONSE naming where", async () => {
    const broken = { items: [{ ...SUMMARY, counts: { ...SUMMARY.counts, total: "one" } }], next_cursor: null };
    const s = await serve((_seen, res) => sendJson(res, 200, broken));
    const err = await failure(createApiClient({ baseUrl: s.url }).call("listExecutions"));
    expect(err.code).toBe("BAD_RESPONSE");
    expect(err.message).toContain("GET /api/executions");
    expect(err.message).toContain("at items.0.counts.total");
    // Validation off: the answer is handed over as parsed.
    const raw = await createApiClient({ baseUrl: s.url, validateResponses: false }).call("listExecutions");
    expect(raw).toEqual(broken);
  });

  it("refuses a success answer that is not JSON as BAD_RESPONSE", async () => {
    const s = await serve((_seen, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>login portal</html>"));
    const err = await failure(createApiClient({ baseUrl: s.url }).call("getVersion"));
    expect(err.code).toBe("BAD_RESPONSE");
    expect(err.status).toBe(200);
  });

  it("reports an error page that is not an API error body as HTTP_ERROR with its status", async () => {
    const s = await serve((_seen, res) => res.writeHead(502, { "content-type": "text/html" }).end("<h1>Bad Gateway</h1>"));
    const err = await failure(createApiClient({ baseUrl: s.url }).call("listJobs"));
    expect(err.code).toBe("HTTP_ERROR");
    expect(err.status).toBe(502);
    expect(err.message).toContain("HTTP 502");
    expect(err.message).toContain("<h1>Bad Gateway</h1>");
  });

  it("keeps the message of an error code this build does not know (a newer backend)", async () => {
    const s = await serve((_seen, res) => sendJson(res, 409, { error: { code: "TOO_NEW_TO_KNOW", message: "The fleet is frozen" } }));
    const err = await failure(createApiClient({ baseUrl: s.url }).call("execJob", { params: { job_id: "hello" }, body: { all: true } }));
    expect(err.code).toBe("HTTP_ERROR");
    expect(err.message).toContain("The fleet is frozen");
    expect(err.message).toContain("TOO_NEW_TO_KNOW");
  });

  it("turns a refused connection into NETWORK carrying the root cause", async () => {
    const s = await startServer(() => undefined);
    await s.close(); // the port is now free and nothing listens on it
    const err = await failure(createApiClient({ baseUrl: s.url }).call("getVersion"));
    expect(err.code).toBe("NETWORK");
    expect(err.status).toBeUndefined();
    expect(err.message).toContain(s.url);
    expect(err.message).toContain("ECONNREFUSED");
  });

  it("sends a job manifest as YAML text", async () => {
    const s = await serve((_seen, res) => sendJson(res, 201, { id: "hello", version: "1.0.0" }));
    const yaml = "id: hello\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n";
    const r = await createApiClient({ baseUrl: s.url }).call("createJob", { body: yaml });
    expect(r).toEqual({ id: "hello", version: "1.0.0" });
    expect(s.seen[0]).toMatchObject({ method: "POST", url: "/api/jobs" });
    expect(s.seen[0]!.headers["content-type"]).toBe("application/yaml");
    expect(s.seen[0]!.body.toString("utf8")).toBe(yaml);
  });

  it("uploads bytes with their length, from a buffer or a Node stream", async () => {
    const s = await serve((_seen, res) => sendJson(res, 201, STORED));
    const api = createApiClient({ baseUrl: s.url });
    const fromBuffer = await api.call("uploadAppPackage", {
      params: { name: "tool", version: "1.0.0" },
      query: { force: true },
      body: { data: new TextEncoder().encode("hello"), size: 5 },
    });
    expect(fromBuffer).toEqual(STORED);
    const chunks = [Buffer.from("hel"), Buffer.from("lo")];
    await api.call("uploadScriptObject", { params: { name: "tool", version: "1.0.0" }, body: { data: Readable.from(chunks), size: 5 } });
    expect(s.seen.map((x) => [x.url, x.headers["content-length"], x.headers["content-type"], x.body.toString("utf8")])).toEqual([
      ["/api/app-packages/tool/1.0.0?force=true", "5", "application/octet-stream", "hello"],
      ["/api/script-objects/tool/1.0.0", "5", "application/octet-stream", "hello"],
    ]);
  });

  it("hands stream uploads to uploadFetch, so Node callers can keep memory flat", async () => {
    const s = await serve((_seen, res) => sendJson(res, 201, STORED));
    const used: string[] = [];
    const api = createApiClient({
      baseUrl: s.url,
      uploadFetch: async (url, init) => {
        used.push(String(url));
        return fetch(url, init);
      },
    });
    await api.call("uploadScriptObject", { params: { name: "tool", version: "1.0.0" }, body: { data: Readable.from([Buffer.from("hello")]), size: 5 } });
    await api.call("uploadScriptObject", { params: { name: "tool", version: "1.0.0" }, body: { data: new Uint8Array(5), size: 5 } });
    await api.call("listScriptObjects").catch(() => undefined);
    expect(used).toEqual([`${s.url}/api/script-objects/tool/1.0.0`]);
    expect(s.seen.map((x) => x.body.toString("utf8"))).toEqual(["hello", "\0\0\0\0\0", ""]);
  });

  it("publishes an agent build under /api/agent-releases with its version and platform", async () => {
    const release = { ...STORED, key: "2.0.0-linux-x64", version: "2.0.0", platform: "linux-x64" };
    const s = await serve((_seen, res) => sendJson(res, 201, release));
    const r = await createApiClient({ baseUrl: s.url }).call("publishAgentRelease", {
      query: { version: "2.0.0", platform: "linux-x64" },
      body: { data: new Uint8Array(5), size: 5 },
    });
    expect(r.platform).toBe("linux-x64");
    expect(s.seen[0]).toMatchObject({ method: "POST", url: "/api/agent-releases?version=2.0.0&platform=linux-x64" });
  });

  it("returns text answers as text and downloads as an unread Response", async () => {
    const s = await serve((seen, res) => {
      if (seen.url.endsWith("/yaml")) res.writeHead(200, { "content-type": "text/yaml" }).end("id: hello\n");
      else res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "3" }).end(Buffer.from([1, 2, 3]));
    });
    const api = createApiClient({ baseUrl: s.url });
    const yaml = await api.call("exportJob", { params: { id: "hello" } });
    expectTypeOf(yaml).toEqualTypeOf<string>();
    expect(yaml).toBe("id: hello\n");
    const download = await api.call("downloadAppPackage", { params: { name: "tool", version: "1.0.0" } });
    expectTypeOf(download).toEqualTypeOf<Response>();
    expect(download.headers.get("content-length")).toBe("3");
    expect([...new Uint8Array(await download.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it("gives the WebSocket URL of a live route and the bearer subprotocol", () => {
    const api = createApiClient({ baseUrl: "https://kanade.example:8443", token: "tok" });
    expect(api.websocket("watchAgentPerf", { pc: "pc 1" })).toEqual({
      url: "wss://kanade.example:8443/api/agents/pc%201/perf/live",
      protocols: ["bearer.tok"],
    });
    expect(createApiClient({ baseUrl: "http://127.0.0.1:8081" }).websocket("watchFleetPerf")).toEqual({
      url: "ws://127.0.0.1:8081/api/perf/fleet/live",
      protocols: [],
    });
  });

  it("types each call's input and result from the table", () => {
    const api = createApiClient({ baseUrl: "http://127.0.0.1:1" });
    type Call = typeof api.call;
    expectTypeOf<CallResult<"listJobs">["items"][number]["status"]>().toEqualTypeOf<"ACTIVE" | "REVOKED">();
    expectTypeOf<CallResult<"killExecution">>().toEqualTypeOf<{ exec_id: string; killed: true }>();
    expectTypeOf<Parameters<Call>>().not.toBeNever();
    // Compile-time checks: tsc fails if any of these stops being an error.
    const never = (): void => {
      // @ts-expect-error getJob needs its params
      void api.call("getJob");
      // @ts-expect-error createJob needs a body
      void api.call("createJob", {});
      // @ts-expect-error listJobs has no params
      void api.call("listJobs", { params: { id: "x" } });
      // @ts-expect-error findInstalledApps needs query.app
      void api.call("findInstalledApps", {});
      // @ts-expect-error WebSocket routes are opened, not called
      void api.call("watchFleetPerf");
    };
    expect(typeof never).toBe("function");
  });
});
