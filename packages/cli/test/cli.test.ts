/** The real built `kanade` binary as a child process against a fake backend (node:http). */
import { mkdirSync, writeFileSync } from "node:fs";
import type { ExecutionDetail } from "@kanade/protocol";
import { freePort, runCli, tempDir } from "@kanade/testkit";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBackend, type FakeBackend } from "./fake-backend.js";
import { EXAMPLES, EXEC_ID, execution, row } from "./fixtures.js";

let backend: FakeBackend;
beforeAll(async () => {
  backend = await startFakeBackend();
});
afterAll(async () => {
  await backend?.close();
});

const kanade = (args: string[], token?: string) => runCli(args, { backendUrl: backend.url, ...(token ? { token } : {}), timeoutMs: 30_000 });

describe("kanade job create / validate", () => {
  it.each([
    ["bad-shell.yaml", ["execute.shell"]],
    ["bad-version.yaml", ["version", "execute.timeout"]],
    ["no-source.yaml", ["execute"]],
    ["two-sources.yaml", ["execute"]],
  ])("refuses invalid/%s with exit 2, names %j, and sends nothing", async (file, fields) => {
    backend.reset(() => ({ status: 201, json: {} }));
    const r = await kanade(["job", "create", `${EXAMPLES}/invalid/${file}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid job manifest/);
    for (const f of fields) expect(r.stderr).toContain(`  ${EXAMPLES}/invalid/${file}: ${f}: `);
    expect(backend.requests).toEqual([]);
  });

  it("sends each manifest as YAML with script_file inlined, and says what it created", async () => {
    backend.reset((req) => {
      const m = parse(req.body) as { id: string; version: string };
      return { status: 201, json: { id: m.id, version: m.version } };
    });
    const r = await kanade(["job", "create", `${EXAMPLES}/hello.yaml`, `${EXAMPLES}/install-kanade-client.yaml`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("created hello 1.0.0\ncreated install-kanade-client 0.42.0\n");
    expect(backend.requests.map((q) => [q.method, q.path, q.headers["content-type"]])).toEqual([
      ["POST", "/api/jobs", "application/yaml"],
      ["POST", "/api/jobs", "application/yaml"],
    ]);
    const sent = parse(backend.requests[1]!.body) as { execute: Record<string, string> };
    expect(sent.execute.script_file).toBeUndefined();
    expect(sent.execute.script).toContain("[CmdletBinding()]");
  });

  it("reports a server-side 400 with its details and exits 2", async () => {
    backend.reset(() => ({
      status: 400,
      json: { error: { code: "INVALID_MANIFEST", message: "The job manifest is invalid", details: [{ path: "execute.cwd", message: "not allowed here" }] } },
    }));
    const r = await kanade(["job", "create", `${EXAMPLES}/hello.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: The job manifest is invalid\n  execute.cwd: not allowed here\n");
  });

  it("validates locally: exit 0 for good files, 2 naming the bad ones, --json parses", async () => {
    backend.reset(() => undefined);
    const ok = await kanade(["job", "validate", `${EXAMPLES}/hello.yaml`]);
    expect(ok).toMatchObject({ code: 0, stdout: `ok ${EXAMPLES}/hello.yaml (hello 1.0.0)\n` });
    const bad = await kanade(["job", "validate", "--json", `${EXAMPLES}/hello.yaml`, `${EXAMPLES}/invalid/bad-shell.yaml`]);
    expect(bad.code).toBe(2);
    const report = JSON.parse(bad.stdout) as Array<{ ok: boolean; issues: Array<{ path: string }> }>;
    expect(report.map((x) => x.ok)).toEqual([true, false]);
    expect(report[1]!.issues.map((i) => i.path)).toEqual(["execute.shell"]);
    expect(backend.requests).toEqual([]);
  });
});

describe("kanade talking to the backend", () => {
  it("says it cannot reach the backend and exits 1", async () => {
    const port = await freePort();
    const r = await runCli(["job", "list"], { backendUrl: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: cannot reach kanade-backend at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it("explains a 401 in terms of KANADE_AUTH_TOKEN and sends the token it has", async () => {
    backend.reset(() => ({ status: 401, json: { error: { code: "UNAUTHORIZED", message: "Missing or invalid bearer token" } } }));
    const none = await kanade(["job", "list"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: Missing or invalid bearer token — .*set KANADE_AUTH_TOKEN/);
    const wrong = await kanade(["job", "list"], "s3cret");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("refused KANADE_AUTH_TOKEN");
    expect(backend.requests[1]?.headers.authorization).toBe("Bearer s3cret");
  });

  it("maps a 404 to exit 1 with the API's message", async () => {
    backend.reset(() => ({ status: 404, json: { error: { code: "JOB_NOT_FOUND", message: "No such job: nope" } } }));
    const r = await kanade(["job", "show", "nope"]);
    expect(r).toMatchObject({ code: 1, stderr: "error: No such job: nope\n" });
  });

  it("lists jobs as an aligned table, and as JSON with --json", async () => {
    const jobs = [
      { id: "hello", version: "1.0.0", description: "Say hello", shell: "sh", require_approval: false, status: "ACTIVE" },
      { id: "cleanup-disk-temp", version: "1.0.1", description: null, shell: "powershell", require_approval: true, status: "REVOKED" },
    ];
    backend.reset((req) => (req.path === "/api/jobs" ? { json: { items: jobs, next_cursor: null } } : undefined));
    const table = await kanade(["job", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        "ID                 VERSION  SHELL       APPROVAL  STATUS   DESCRIPTION",
        "hello              1.0.0    sh          no        ACTIVE   Say hello",
        "cleanup-disk-temp  1.0.1    powershell  required  REVOKED  -",
        "",
      ].join("\n"),
    );
    const json = await kanade(["job", "list", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual(jobs);
  });
});

describe("kanade exec", () => {
  it("refuses a run without a target before calling the API", async () => {
    backend.reset(() => ({ json: {} }));
    const r = await kanade(["exec", "hello"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no target/);
    expect(backend.requests).toEqual([]);
  });

  it("sends every spelling of --pcs as one list and prints the exec id", async () => {
    backend.reset(() => ({ status: 202, json: { exec_id: "e-1", target_count: 3, state: "running" } }));
    const r = await kanade(["exec", "hello", "--pcs", "pc-1", "pc-2", "--pcs", "pc-3,pc-1", "--jitter", "5m"]);
    expect(r).toMatchObject({ code: 0, stdout: "exec_id: e-1\ntargets: 3\n" });
    expect(backend.requests.map((q) => [q.method, q.path, JSON.parse(q.body)])).toEqual([
      ["POST", "/api/exec/hello", { pcs: ["pc-1", "pc-2", "pc-3"], jitter: "5m" }],
    ]);
  });

  it("--wait polls until every PC reported, prints the table, and exits 1 when one failed", async () => {
    const polls = [
      execution([row("pc-1", "running"), row("pc-2", "pending")]),
      execution([row("pc-1", "succeeded", 0, 1234, "hello from pc-1"), row("pc-2", "failed", 3, 350, "")]),
    ];
    let n = 0;
    backend.reset((req) => {
      if (req.method === "POST") return { status: 202, json: { exec_id: polls[0]!.exec_id, target_count: 2, state: "running" } };
      return { json: polls[Math.min(n++, polls.length - 1)] };
    });
    const r = await kanade(["exec", "hello", "--all", "--wait"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        `exec_id: ${polls[0]!.exec_id}`,
        "targets: 2",
        "PC    STATUS     EXIT  DURATION  OUTPUT",
        "pc-1  succeeded  0     1.2s      hello from pc-1",
        "pc-2  failed     3     350ms     -",
        "2 PCs: 1 succeeded, 1 failed",
        "",
      ].join("\n"),
    );
    expect(r.stderr).toBe("0/2 done, 1 running, 1 pending\n2/2 done, 0 running, 0 pending\nerror: 1 of 2 PC(s) did not succeed\n");

    n = 0;
    polls[1] = execution([row("pc-1", "succeeded", 0, 10, "a"), row("pc-2", "succeeded", 0, 20, "b")]);
    const json = await kanade(["exec", "hello", "--groups", "lab", "--wait", "--json"]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as ExecutionDetail).rows.map((x) => x.status)).toEqual(["succeeded", "succeeded"]);
  });
});

describe("kanade exec --wait on an execution that ended badly", () => {
  const fire = { status: 202, json: { exec_id: EXEC_ID, target_count: 2, state: "running" } };

  it("polls without the per-PC rows, fetches them once at the end, and shows a failed publish with its reason", async () => {
    const base = execution([row("pc-1", "not_sent"), row("pc-2", "not_sent")]);
    const failed: ExecutionDetail = {
      ...base,
      state: "failed_to_publish",
      state_reason: "the broker did not take the commands (TIMEOUT); nothing was queued",
      counts: { ...base.counts, not_sent: 2 },
    };
    backend.reset((req) => (req.method === "POST" ? fire : { json: failed }));
    const r = await kanade(["exec", "hello", "--all", "--wait"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [`exec_id: ${EXEC_ID}`, "targets: 2", "PC    STATUS    EXIT  DURATION  OUTPUT", "pc-1  not_sent  -     -         -", "pc-2  not_sent  -     -         -", "2 PCs: 2 not_sent", ""].join("\n"),
    );
    expect(r.stderr).toBe(
      "2/2 done, 0 running, 0 pending, 2 not sent\nerror: execution failed_to_publish (the broker did not take the commands (TIMEOUT); nothing was queued)\n",
    );
    expect(backend.requests.map((q) => [q.method, q.path, q.query])).toEqual([
      ["POST", "/api/exec/hello", {}],
      ["GET", `/api/executions/${EXEC_ID}`, { rows: "false" }],
      ["GET", `/api/executions/${EXEC_ID}`, {}],
    ]);
  });

  it("says an execution was killed, and how many PCs did not succeed", async () => {
    const killed: ExecutionDetail = { ...execution([row("pc-1", "succeeded", 0, 10, "ok"), row("pc-2", "killed")]), state: "killed", killed_at: "2026-01-01T00:00:01.000Z" };
    backend.reset((req) => (req.method === "POST" ? fire : { json: killed }));
    const r = await kanade(["exec", "hello", "--all", "--wait"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^pc-2\s+killed\s+-\s+-\s+-$/m);
    expect(r.stderr).toBe("2/2 done, 0 running, 0 pending\nerror: execution killed: 1 of 2 PC(s) did not succeed\n");
  });
});

describe("kanade checking what the backend answers", () => {
  it("refuses an answer that breaks the contract, naming the field, and exits 1", async () => {
    backend.reset(() => ({ json: { items: [{ id: "hello", version: "1.0.0", shell: "sh" }], next_cursor: null } }));
    const r = await kanade(["job", "list", "--json"]);
    expect(r).toMatchObject({ code: 1, stdout: "" });
    expect(r.stderr).toMatch(/^error: GET \/api\/jobs: the answer does not match its schema at items\.0\.(description|require_approval|status): /);
  });

  it("exits as the catalogue says for the code: 413 is bad input (2)", async () => {
    backend.reset(() => ({ status: 413, json: { error: { code: "PAYLOAD_TOO_LARGE", message: "The request body is too large" } } }));
    const r = await kanade(["job", "create", `${EXAMPLES}/hello.yaml`]);
    expect(r).toMatchObject({ code: 2, stderr: "error: The request body is too large\n" });
  });

  it("keeps the message of an error code it does not know, and exits 1", async () => {
    backend.reset(() => ({ status: 418, json: { error: { code: "TEAPOT", message: "I am a teapot" } } }));
    const r = await kanade(["job", "list"]);
    expect(r).toMatchObject({ code: 1, stderr: "error: I am a teapot (TEAPOT, HTTP 418)\n" });
  });

  it("tells a refused saved session to log in again", async () => {
    const home = tempDir("kanade-cli-saved-");
    try {
      mkdirSync(home.join("kanade"));
      writeFileSync(home.join("kanade", "token"), "expired-session\n");
      backend.reset(() => ({ status: 401, json: { error: { code: "UNAUTHORIZED", message: "Missing or invalid bearer token" } } }));
      const r = await runCli(["job", "list"], { backendUrl: backend.url, env: { XDG_CONFIG_HOME: home.path, KANADE_AUTH_TOKEN: "" } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: Missing or invalid bearer token — the backend refused the session saved by `kanade login` .*run `kanade login` again\n$/);
      expect(backend.requests[0]?.headers.authorization).toBe("Bearer expired-session");
    } finally {
      home.remove();
    }
  });
});

describe("kanade usage errors", () => {
  it("exits 2 for an unknown command or a missing argument, 0 for --help and --version", async () => {
    expect((await kanade(["frobnicate"])).code).toBe(2);
    expect((await kanade(["kill"])).code).toBe(2);
    const help = await kanade(["--help"]);
    expect(help.code).toBe(0);
    for (const c of ["job", "exec", "executions", "results", "kill", "revoke", "unrevoke", "agents", "agent", "group"]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
    }
    expect(await kanade(["--version"])).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });
});
