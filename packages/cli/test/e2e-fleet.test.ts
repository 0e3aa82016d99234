/**
 * End to end: the real CLI process → real backend (HTTP, SQLite) → real nats-server → three real
 * agents running real `sh` scripts → results projected → CLI output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ExecutionDetail, ListResponse, ResultRecord } from "@kanade/protocol";
import { subjects } from "@kanade/protocol";
import {
  runCli,
  startNatsServer,
  startTestBackend,
  startTestFleet,
  tempDir,
  waitFor,
  type NatsServer,
  type TestBackend,
  type TestFleet,
} from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLES = join(import.meta.dirname, "../../../examples/jobs");
const PCS = ["e2e-pc-1", "e2e-pc-2", "e2e-pc-3"];

let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
let nc: NatsConnection;
const jobs = tempDir("kanade-e2e-jobs-");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });
const json = <T>(text: string): T => JSON.parse(text) as T;

function writeJob(id: string, script: string, extra = ""): string {
  const path = jobs.join(`${id}.yaml`);
  const body = `id: ${id}\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: |\n${script
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n${extra}`;
  writeFileSync(path, body);
  return path;
}

async function execution(execId: string): Promise<ExecutionDetail> {
  const r = await backend.api<ExecutionDetail>("GET", `/api/executions/${execId}`);
  expect(r.status).toBe(200);
  return r.body;
}

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  fleet = await startTestFleet(nats.url, PCS);
  nc = await connect({ servers: nats.url });
  // Agents are known to the backend once their first heartbeat is projected.
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === 3, {
    what: "three agents in GET /api/agents",
  });
});

afterAll(async () => {
  await nc?.close();
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  jobs.remove();
});

describe("operator runs a job on the fleet", () => {
  it("creates hello from the example and runs it on two PCs with --wait", async () => {
    const created = await kanade("job", "create", join(EXAMPLES, "hello.yaml"));
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/hello/);

    const run = await kanade("exec", "hello", "--pcs", "e2e-pc-1", "--pcs", "e2e-pc-2", "--wait");
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/exec_id/i);
    const lines = run.stdout.split("\n");
    for (const pc of ["e2e-pc-1", "e2e-pc-2"]) {
      const row = lines.find((l) => l.startsWith(pc) || l.includes(` ${pc} `) || l.includes(`${pc} `));
      expect(row, `a row for ${pc} in:\n${run.stdout}`).toBeDefined();
      expect(row).toMatch(/succeeded/);
      expect(row).toMatch(/hello from/);
    }
    expect(run.stdout).not.toMatch(/e2e-pc-3/);

    const execId = /exec_id:?\s+([0-9a-f-]{36})/i.exec(run.stdout)?.[1];
    expect(execId).toBeDefined();
    const res = await kanade("results", "--exec", execId!, "--json");
    expect(res.code, res.stderr).toBe(0);
    const parsed = json<ListResponse<ResultRecord> | ResultRecord[]>(res.stdout);
    const items = Array.isArray(parsed) ? parsed : parsed.items;
    expect(items.map((r) => r.pc_id).sort()).toEqual(["e2e-pc-1", "e2e-pc-2"]);
    for (const r of items) {
      expect(r.status).toBe("succeeded");
      expect(r.exit_code).toBe(0);
      expect(r.stdout).toContain(`hello from`);
      expect(r.stdout).toMatch(/cwd=.*agent-scripts/);
    }
    const api = await backend.api<ListResponse<ResultRecord>>("GET", `/api/results?exec_id=${execId}`);
    expect(api.body.items).toHaveLength(2);
    const ex = await execution(execId!);
    expect(ex.counts).toMatchObject({ total: 2, succeeded: 2, done: 2, pending: 0, running: 0 });
  });

  it("targets a group and the whole fleet", async () => {
    const add = await kanade("group", "add", "e2e-pc-3", "lab");
    expect(add.code, add.stderr).toBe(0);
    // The agent follows its agent_groups key live; give it a moment to subscribe the group subject.
    await waitFor(async () => {
      const list = await kanade("group", "list", "--json");
      return list.code === 0 && list.stdout.includes("lab");
    });
    await new Promise((r) => setTimeout(r, 500));
    const byGroup = await kanade("exec", "hello", "--groups", "lab", "--wait", "--json");
    expect(byGroup.code, byGroup.stderr).toBe(0);
    const g = json<ExecutionDetail>(byGroup.stdout);
    expect(g.target_count).toBe(1);
    expect(g.rows.map((r) => [r.pc_id, r.status])).toEqual([["e2e-pc-3", "succeeded"]]);

    const all = await kanade("exec", "hello", "--all", "--wait", "--json");
    expect(all.code, all.stderr).toBe(0);
    const a = json<ExecutionDetail>(all.stdout);
    expect(a.target_count).toBe(3);
    expect(a.rows.map((r) => r.pc_id).sort()).toEqual(PCS);
    expect(a.rows.every((r) => r.status === "succeeded")).toBe(true);
  });

  it("kills long-running on every PC and keeps the output captured so far", async () => {
    const created = await kanade("job", "create", join(EXAMPLES, "long-running.yaml"));
    expect(created.code, created.stderr).toBe(0);
    const started = await kanade("exec", "long-running", "--all", "--json");
    expect(started.code, started.stderr).toBe(0);
    const { exec_id } = json<{ exec_id: string }>(started.stdout);
    await waitFor(async () => (await execution(exec_id)).counts.running === 3, { what: "3 running rows" });

    const killedAt = Date.now();
    const kill = await kanade("kill", exec_id);
    expect(kill.code, kill.stderr).toBe(0);
    const ex = await waitFor(async () => {
      const e = await execution(exec_id);
      return e.counts.killed === 3 ? e : undefined;
    }, { what: "3 killed rows", timeoutMs: 10_000 });
    expect(ex.rows.every((r) => r.status === "killed" && r.exit_code === null)).toBe(true);
    // Generous bound for a loaded CI machine; the agent kills the tree as soon as kill.<exec_id> arrives.
    expect(Date.now() - killedAt).toBeLessThan(8_000);
    const results = await backend.api<ListResponse<ResultRecord>>("GET", `/api/results?exec_id=${exec_id}`);
    for (const r of results.body.items) {
      expect(r.stdout).toContain("started");
      expect(r.stdout).not.toContain("never-printed");
    }
  });

  it("reports timed_out past the manifest timeout", async () => {
    const path = writeJob("e2e-timeout", "echo before\nsleep 30\necho after", "  timeout: 2s\n");
    expect((await kanade("job", "create", path)).code).toBe(0);
    const run = await kanade("exec", "e2e-timeout", "--pcs", "e2e-pc-1", "--wait", "--json");
    expect(run.code).toBe(1);
    const ex = json<ExecutionDetail>(run.stdout);
    expect(ex.rows[0]).toMatchObject({ pc_id: "e2e-pc-1", status: "timed_out", exit_code: null });
    const r = await backend.api<ResultRecord>("GET", `/api/results/${ex.rows[0]!.result_id}`);
    expect(r.body.stdout).toContain("before");
    expect(r.body.stdout).not.toContain("after");
  });

  it("keeps unicode output intact and caps 1 MiB of stdout at 256 KiB, flagged", async () => {
    const uni = writeJob("e2e-unicode", "echo '日本語のテキスト ✓'\necho 'ошибка' >&2\nexit 3");
    const big = writeJob("e2e-big", "head -c 1048576 /dev/zero | tr '\\0' 'a'");
    expect((await kanade("job", "create", uni, big)).code).toBe(0);

    const u = json<ExecutionDetail>((await kanade("exec", "e2e-unicode", "--pcs", "e2e-pc-2", "--wait", "--json")).stdout);
    const ur = (await backend.api<ResultRecord>("GET", `/api/results/${u.rows[0]!.result_id}`)).body;
    expect(ur).toMatchObject({ status: "failed", exit_code: 3 });
    expect(ur.stdout).toBe("日本語のテキスト ✓\n");
    expect(ur.stderr).toBe("ошибка\n");

    const b = json<ExecutionDetail>((await kanade("exec", "e2e-big", "--pcs", "e2e-pc-2", "--wait", "--json")).stdout);
    const br = (await backend.api<ResultRecord>("GET", `/api/results/${b.rows[0]!.result_id}`)).body;
    expect(br.status).toBe("succeeded");
    expect(br.stdout_truncated).toBe(true);
    expect(Buffer.byteLength(br.stdout)).toBe(256 * 1024);
    expect(br.stdout).toMatch(/^a+$/);
  });

  it("drops a malformed command without crashing the agent", async () => {
    nc.publish(subjects.commandsPc("e2e-pc-1"), "{not json");
    nc.publish(subjects.commandsPc("e2e-pc-1"), JSON.stringify({ exec_id: "nope", script: 42 }));
    await nc.flush();
    const run = await kanade("exec", "hello", "--pcs", "e2e-pc-1", "--wait", "--json");
    expect(run.code, run.stderr).toBe(0);
    expect(json<ExecutionDetail>(run.stdout).rows[0]?.status).toBe("succeeded");
  });
});

describe("bad input gets a clear error", () => {
  const invalid: Record<string, string[]> = {
    "two-sources.yaml": ["execute"],
    "no-source.yaml": ["execute"],
    "bad-version.yaml": ["version", "execute.timeout"],
    "bad-shell.yaml": ["execute.shell"],
  };
  for (const [file, fields] of Object.entries(invalid)) {
    it(`refuses invalid/${file} in the CLI (exit 2) and the API (400), naming ${fields.join(", ")}`, async () => {
      const yaml = readFileSync(join(EXAMPLES, "invalid", file), "utf8");
      const cli = await kanade("job", "create", join(EXAMPLES, "invalid", file));
      expect(cli.code).toBe(2);
      for (const f of fields) expect(cli.stderr).toContain(`${f}:`);

      const res = await fetch(`${backend.url}/api/jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/yaml" },
        body: yaml,
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
      expect(body.error.code).toBe("INVALID_MANIFEST");
      expect(body.error.details.map((d) => d.path).sort()).toEqual([...fields].sort());
      const id = /^id: (.*)$/m.exec(yaml)?.[1];
      expect((await backend.api("GET", `/api/jobs/${id}`)).status).toBe(404);
    });
  }

  it("answers 401 without the bearer token, and the CLI says so", async () => {
    expect((await fetch(`${backend.url}/api/jobs`)).status).toBe(401);
    const cli = await runCli(["job", "list"], { backendUrl: backend.url, token: "wrong" });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/KANADE_AUTH_TOKEN|token/i);
  });

  it("answers 404 for an unknown job and 400 for an exec with no target", async () => {
    const unknown = await backend.api<{ error: { code: string } }>("POST", "/api/exec/no-such-job", { all: true });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("JOB_NOT_FOUND");
    expect((await kanade("exec", "no-such-job", "--all")).code).toBe(1);

    const none = await backend.api<{ error: { code: string } }>("POST", "/api/exec/hello", {});
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe("NO_TARGET");
    expect((await kanade("exec", "hello")).code).toBe(2);
  });
});
