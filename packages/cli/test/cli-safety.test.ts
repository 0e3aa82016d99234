/**
 * The CLI where one keystroke or one closed pipe matters: `exec --all` asks on a terminal with the PC count,
 * approvals on an auth-off backend are explained instead of refused, a reader that stops reading ends the
 * output quietly, and ids are refused once, readably. Against a fake backend (node:http), in process for the
 * terminal cases and as the real built binary for the pipe.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { AgentSummary, ExecPreview } from "@kanade/protocol";
import { runCli } from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCliApi } from "../src/api.js";
import type { Io } from "../src/output.js";
import { runKanade } from "../src/program.js";
import { startFakeBackend, type FakeBackend } from "./fake-backend.js";
import { EXEC_ID, execution, row } from "./fixtures.js";

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(async () => {
  await backend?.close();
});

async function run(args: string[], io: Io): Promise<number> {
  return runKanade(args, { client: createCliApi({ baseUrl: backend.url, token: "t" }), io, sleep: async () => undefined, now: () => Date.now() });
}

const preview: ExecPreview = { job_id: "hello", version: "1.0.0", require_approval: false, target_count: 303, online: 291, offline: 12, unknown: [] };
const fired = { status: 202, json: { exec_id: EXEC_ID, target_count: 303, state: "running" } };

describe("kanade exec --all on a terminal", () => {
  it("asks with the count the backend resolves, and runs nothing when the answer is no", async () => {
    backend.reset((req) => (req.path.endsWith("/preview") ? { json: preview } : fired));
    const asked: string[] = [];
    const errs: string[] = [];
    const io: Io = { out: () => undefined, err: (t) => void errs.push(t), stderrIsTTY: true, color: false, ask: async (q) => (asked.push(q), "n") };
    expect(await run(["exec", "hello", "--all"], io)).toBe(1);
    expect(asked).toEqual(["Run hello 1.0.0 on 303 PCs (12 offline now: they run it when they reconnect)? [y/N] "]);
    expect(errs.join("")).toBe("error: not confirmed; nothing was run (use --yes to skip the question)\n");
    expect(backend.requests.map((q) => [q.method, q.path])).toEqual([["POST", "/api/exec/hello/preview"]]);
    expect(JSON.parse(backend.requests[0]!.body)).toEqual({ all: true });
  });

  it("runs on yes, and does not ask with --yes", async () => {
    backend.reset((req) => (req.path.endsWith("/preview") ? { json: preview } : fired));
    const outs: string[] = [];
    const io: Io = { out: (t) => void outs.push(t), err: () => undefined, stderrIsTTY: true, color: false, ask: async () => "yes" };
    expect(await run(["exec", "hello", "--all"], io)).toBe(0);
    expect(backend.requests.map((q) => q.path)).toEqual(["/api/exec/hello/preview", "/api/exec/hello"]);
    expect(outs.join("")).toBe(`exec_id: ${EXEC_ID}\ntargets: 303\n`);

    backend.reset((req) => (req.path.endsWith("/preview") ? { json: preview } : fired));
    const never: Io = { out: () => undefined, err: () => undefined, stderrIsTTY: true, color: false, ask: async () => { throw new Error("asked despite --yes"); } };
    expect(await run(["exec", "hello", "--all", "--yes"], never)).toBe(0);
    expect(backend.requests.map((q) => q.path)).toEqual(["/api/exec/hello"]);
  });

  it("does not ask for named PCs or off a terminal (scripts)", async () => {
    backend.reset(() => fired);
    const io: Io = { out: () => undefined, err: () => undefined, stderrIsTTY: false, color: false };
    expect(await run(["exec", "hello", "--all"], io)).toBe(0);
    expect(backend.requests.map((q) => q.path)).toEqual(["/api/exec/hello"]);
  });
});

describe("kanade approve on a backend with auth off", () => {
  it("says why nobody can approve, before asking the backend to", async () => {
    const pending = { ...execution([row("pc-1", "pending")]), state: "pending_approval", issued_by: "anonymous" };
    backend.reset((req) =>
      req.path === "/api/auth/me"
        ? { json: { actor: "anonymous", role: "admin", kind: "anonymous", must_change_password: false } }
        : req.method === "GET"
          ? { json: pending }
          : { status: 403, json: { error: { code: "FORBIDDEN", message: "a different operator must approve it" } } },
    );
    const r = await runCli(["approve", EXEC_ID], { backendUrl: backend.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: this backend runs with authentication off \(KANADE_AUTH_DISABLE\), so every caller is "anonymous" — the requester too —/);
    expect(backend.requests.some((q) => q.method === "POST")).toBe(false);
  });
});

describe("exec ids", () => {
  it("refuses what cannot be an id once, naming it, and sends nothing", async () => {
    backend.reset(() => undefined);
    const r = await runCli(["executions", "not-an-id"], { backendUrl: backend.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: <exec_id>: expected an exec_id, or 4 or more hex digits of one (got "not-an-id")\n');
    expect(backend.requests).toEqual([]);
  });

  it("says when a short id matches several executions, listing them", async () => {
    const e = (n: string) => ({ ...execution([]), exec_id: `0190c0de-0000-7000-8000-00000000${n}a1f5`, created_at: "2026-01-01T00:00:00.000Z" });
    backend.reset(() => ({ json: { items: [e("01"), e("02")], next_cursor: null } }));
    const r = await runCli(["kill", "a1f5"], { backendUrl: backend.url });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe('error: <exec_id>: "a1f5" matches 2 executions; give more digits');
    expect(backend.requests.map((q) => [q.method, q.path, q.query])).toEqual([["GET", "/api/executions", { id: "a1f5", limit: "10" }]]);
  });
});

describe("a reader that stops reading", () => {
  it("ends `kanade agents --json | head` quietly: no EPIPE stack trace, exit 0", async () => {
    const agent = (i: number): AgentSummary => ({
      pc_id: `pc-${String(i).padStart(4, "0")}`, online: true, hostname: `host-${i}`, os_family: "windows", os_version: "11",
      agent_version: "1.0.0", groups: ["tokyo"], last_seen: new Date().toISOString(),
    });
    backend.reset(() => ({ json: { items: Array.from({ length: 5000 }, (_, i) => agent(i)), next_cursor: null } }));
    const bin = fileURLToPath(new URL("../bin/kanade.js", import.meta.url));
    const child = spawn(process.execPath, [bin, "agents", "--json"], { env: { ...process.env, KANADE_BACKEND_URL: backend.url }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Like `head -c 100`: read one chunk, then close the pipe while the CLI is still writing.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});
