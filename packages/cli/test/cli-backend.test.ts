/** The built `kanade` against the real kanade-backend (real nats-server, temp SQLite): the shapes agree. */
import type { ExecResponse, ExecutionSummary, GroupSummary, JobSummary, ResultRecord } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, type NatsServer, type TestBackend } from "@kanade/testkit";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES } from "./fixtures.js";

let nats: NatsServer | undefined;
let backend: TestBackend | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
});
afterAll(async () => {
  await backend?.close();
  await nats?.dispose();
});

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend!.url, token: backend!.token, timeoutMs: 30_000 });
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await kanade(...args, "--json");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

describe("kanade against the real backend", () => {
  it("creates every valid example from a directory, then lists, shows and exports them", async () => {
    const created = await kanade("job", "create", EXAMPLES);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout.trim().split("\n").sort()).toEqual([
      "created cleanup-disk-temp 1.0.1",
      "created hello 1.0.0",
      "created install-kanade-backend 0.43.0",
      "created install-kanade-client 0.42.0",
      "created long-running 1.0.0",
      "created os-release 1.0.0",
    ]);

    const jobs = await json<JobSummary[]>("job", "list");
    expect(jobs.map((j) => j.id).sort()).toContain("install-kanade-client");
    const list = await kanade("job", "list");
    expect(list.stdout.split("\n")[0]).toMatch(/^ID\s+VERSION\s+SHELL\s+APPROVAL\s+STATUS\s+DESCRIPTION$/);
    expect(list.stdout).toMatch(/^hello\s+1\.0\.0\s+sh\s+no\s+ACTIVE\s+Print a greeting/m);

    const show = await kanade("job", "show", "hello");
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^job: hello 1\.0\.0\nstatus: ACTIVE\n/);
    expect(show.stdout).toContain("timeout: 30s");

    const exported = await kanade("job", "export", "install-kanade-client");
    const manifest = parse(exported.stdout) as { execute: Record<string, string> };
    expect(manifest.execute.script_file).toBeUndefined();
    expect(manifest.execute.script).toContain("[CmdletBinding()]");
  });

  it("refuses an invalid manifest locally and a revoked job at exec, with the right exit codes", async () => {
    const bad = await kanade("job", "create", `${EXAMPLES}/invalid/bad-shell.yaml`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("bad-shell.yaml: execute.shell: expected one of");
    expect((await kanade("job", "list", "--json")).stdout).not.toContain("bad-shell");

    expect(await kanade("revoke", "long-running")).toMatchObject({ code: 0, stdout: "revoked long-running\n" });
    const refused = await kanade("exec", "long-running", "--pcs", "ghost-pc");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*revoked/);
    expect(await kanade("unrevoke", "long-running")).toMatchObject({ code: 0, stdout: "unrevoked long-running\n" });

    const missing = await kanade("job", "show", "no-such-job");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: No job "no-such-job"/);
  });

  it("fires an exec, lists it, kills it, and shows empty results", async () => {
    const fired = await json<ExecResponse>("exec", "hello", "--pcs", "ghost-1,ghost-2");
    expect(fired.target_count).toBe(2);
    const human = await kanade("exec", "hello", "--pcs", "ghost-1");
    expect(human.stdout).toMatch(/^exec_id: [0-9a-f-]{36}\ntargets: 1\n$/);

    const execs = await json<ExecutionSummary[]>("executions");
    expect(execs.map((e) => e.exec_id)).toContain(fired.exec_id);
    const table = await kanade("executions");
    // The short id the web UI shows, then one count per outcome (succeeded … not_sent), then how long ago.
    const tail = fired.exec_id.replace(/-/g, "").slice(-8);
    expect(table.stdout.split("\n")[0]).toMatch(/^EXEC\s+JOB\s+VERSION\s+STATE\s+DONE\/TOTAL\s+SUCCEEDED\s+FAILED\s+TIMED_OUT\s+ERROR\s+KILLED\s+SKIPPED\s+NOT_SENT\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${tail}\\s+hello\\s+1\\.0\\.0\\s+running\\s+0/2(\\s+0){7}\\s+\\d+s ago$`, "m"));
    const one = await kanade("executions", fired.exec_id);
    expect(one.stdout).toMatch(/^ghost-1\s+pending\s+-\s+-\s+-$/m);

    // The tail the table shows works wherever an exec id is asked for.
    expect((await kanade("executions", tail)).stdout).toContain(`exec_id: ${fired.exec_id}\n`);
    expect(await kanade("kill", tail)).toMatchObject({ code: 0, stdout: `kill sent for ${fired.exec_id}\n` });
    expect(await json<ResultRecord[]>("results", "--exec", fired.exec_id)).toEqual([]);
  });

  it("manages group membership and lists agents", async () => {
    expect(await kanade("group", "add", "pc-a", "lab", "east")).toMatchObject({ code: 0, stdout: "pc-a groups: east, lab\n" });
    expect(await kanade("group", "rm", "pc-a", "east")).toMatchObject({ code: 0, stdout: "pc-a groups: lab\n" });
    expect(await kanade("group", "set", "pc-a", "lab,west")).toMatchObject({ code: 0, stdout: "pc-a groups: lab, west\n" });
    const groups = await json<GroupSummary[]>("group", "list");
    expect(groups.find((g) => g.name === "west")?.pcs).toEqual(["pc-a"]);
    expect(await json<unknown[]>("agents", "--online")).toEqual([]);
  });

  it("says a wrong token was refused", async () => {
    const r = await runCli(["job", "list"], { backendUrl: backend!.url, token: "wrong-token" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/KANADE_AUTH_TOKEN/);
  });
});
