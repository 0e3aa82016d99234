/** The real built `kanade` binary as a child process against a fake backend (node:http). */
import type { ExecutionDetail } from "@kanade/protocol";
import { freePort, runCli } from "@kanade/testkit";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeBackend, type FakeBackend } from "./fake-backend.js";
import { EXAMPLES, execution, row } from "./fixtures.js";

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
