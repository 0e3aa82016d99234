/**
 * Ad-hoc runs end to end (issue 17 §1): the real CLI → real backend → real nats-server → real agents running
 * `sh`. A run is an execution like any other (results, --wait, kill, timeout, approvals), the script that runs
 * is the one submitted (signed like every command), and it can be promoted to a job that runs the same script.
 */
import { writeFileSync } from "node:fs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import {
  STREAMS,
  commandSchema,
  subjects,
  type AdhocScript,
  type AuditRecord,
  type ExecutionDetail,
  type ListResponse,
  type LoginResponse,
  type ResultRecord,
} from "@kanade/protocol";
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

const PASSWORD = "correct horse battery";
type ErrBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };

interface Env {
  nats: NatsServer;
  backend: TestBackend;
  fleet: TestFleet;
  tokens: Map<string, string>;
}

/** A nats-server, a backend with `overrides`, agents `pcs`, and accounts logged in. */
function useEnv(pcs: string[], overrides: Parameters<typeof startTestBackend>[1], accounts: [string, string][]): () => Env {
  let env: Env | undefined;
  beforeAll(async () => {
    const nats = await startNatsServer();
    const backend = await startTestBackend(nats.url, overrides);
    const fleet = await startTestFleet(nats.url, pcs);
    env = { nats, backend, fleet, tokens: new Map() };
    for (const [username, role] of accounts) {
      expect((await backend.api("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
      const login = await fetch(`${backend.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      env.tokens.set(username, ((await login.json()) as LoginResponse).token);
    }
    await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === pcs.length, {
      what: `${pcs.length} agents in GET /api/agents`,
    });
  });
  afterAll(async () => {
    await env?.fleet.close();
    await env?.backend.close();
    await env?.nats.dispose();
  });
  return () => {
    if (!env) throw new Error("environment not set up");
    return env;
  };
}

/** Calls the API as an account (or the static token, an admin, when `who` is undefined). */
async function as<T>(env: Env, who: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const token = who === undefined ? env.backend.token : env.tokens.get(who);
  const res = await fetch(`${env.backend.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const resultsOf = async (env: Env, execId: string): Promise<ResultRecord[]> =>
  (await env.backend.api<ListResponse<ResultRecord>>("GET", `/api/results?exec_id=${execId}`)).body.items;

const resultOn = (env: Env, execId: string, pc: string, what: string): Promise<ResultRecord> =>
  waitFor(async () => (await resultsOf(env, execId)).find((r) => r.pc_id === pc), { what, timeoutMs: 30_000 });

describe("kanade run: ad-hoc scripts as executions", () => {
  const env = useEnv(["run-pc-1", "run-pc-2"], {}, [["otto", "operator"], ["vera", "viewer"]]);
  const kanade = (...args: string[]) => runCli(args, { backendUrl: env().backend.url, token: env().tokens.get("otto")! });
  const files = tempDir("kanade-adhoc-");
  let nc: NatsConnection;
  afterAll(async () => {
    await nc?.close();
    files.remove();
  });

  // Quotes, a dollar sign the agent's environment fills in, and non-ASCII: it must reach sh byte for byte.
  const SCRIPT = `printf '%s|%s\\n' "$KANADE_JOB_ID" 'naïve "quoted" $HOME'`;
  let execId = "";

  it("runs a script on two PCs with --wait, exactly as submitted, signed like any command", async () => {
    const run = await kanade("run", "--pcs", "run-pc-1,run-pc-2", "--shell", "sh", "--wait", "--", SCRIPT);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    execId = /exec_id: (\S+)/.exec(run.stdout)![1]!;
    expect(run.stdout).toMatch(/run-pc-1/);
    const results = await resultsOf(env(), execId);
    expect(results.map((r) => [r.pc_id, r.status, r.stdout]).sort()).toEqual([
      ["run-pc-1", "succeeded", `adhoc|naïve "quoted" $HOME\n`],
      ["run-pc-2", "succeeded", `adhoc|naïve "quoted" $HOME\n`],
    ]);
    // The recorded script and the signed command both carry the submitted text unchanged.
    const recorded = await env().backend.api<AdhocScript>("GET", `/api/executions/${execId}/script`);
    expect(recorded.body).toMatchObject({ exec_id: execId, shell: "sh", script: SCRIPT, timeout: "60s", created_by: "otto" });
    nc = await connect({ servers: env().nats.url });
    const msg = await (await jetstreamManager(nc)).streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc("run-pc-1") });
    const cmd = commandSchema.parse(msg!.json());
    expect(cmd).toMatchObject({ exec_id: execId, job_id: "adhoc", shell: "sh", script: SCRIPT, issued_by: "otto" });
    expect(cmd.signature).toBeTruthy();
    // Audited as run.create with the script.
    const audited = await waitFor(
      async () => (await env().backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?action=run.create")).body.items.find((a) => a.target === execId),
      { what: "run.create in the audit log" },
    );
    expect(audited.payload_summary).toMatchObject({ script: SCRIPT, shell: "sh" });
  });

  it("runs a --file, with --json output", async () => {
    const file = files.join("probe.sh");
    writeFileSync(file, "echo from-file\necho line-two\n");
    const run = await kanade("run", "--pcs", "run-pc-2", "--file", file, "--json");
    expect(run.code, run.stderr).toBe(0);
    const res = JSON.parse(run.stdout) as { exec_id: string; state: string; target_count: number };
    expect(res).toMatchObject({ state: "running", target_count: 1 });
    const r = await resultOn(env(), res.exec_id, "run-pc-2", "the file's result");
    expect(r).toMatchObject({ status: "succeeded", stdout: "from-file\nline-two\n" });
  });

  it("kills a running ad-hoc run", async () => {
    const run = await kanade("run", "--pcs", "run-pc-1", "--shell", "sh", "--json", "--", "echo started; sleep 60");
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { exec_id: string }).exec_id;
    await waitFor(async () => (await env().backend.api<ExecutionDetail>("GET", `/api/executions/${id}`)).body.rows?.[0]?.status === "running", {
      what: "the run to start",
    });
    const kill = await kanade("kill", id);
    expect(kill.code, kill.stderr).toBe(0);
    expect(await resultOn(env(), id, "run-pc-1", "the killed result")).toMatchObject({ status: "killed" });
  });

  it("kills the script at its --timeout", async () => {
    const run = await kanade("run", "--pcs", "run-pc-2", "--shell", "sh", "--timeout", "1s", "--json", "--", "sleep 30");
    expect(run.code, run.stderr).toBe(0);
    const id = (JSON.parse(run.stdout) as { exec_id: string }).exec_id;
    expect(await resultOn(env(), id, "run-pc-2", "the timed-out result")).toMatchObject({ status: "timed_out" });
  });

  it("promotes the run to a job that runs the same script", async () => {
    const promoted = await kanade("job", "from-run", execId.slice(-8), "--id", "printf-probe", "--version", "1.0.0");
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toMatch(/job printf-probe 1\.0\.0 stored/);
    const job = await env().backend.api<{ manifest: { execute: { script: string; shell: string; timeout: string } } }>("GET", "/api/jobs/printf-probe");
    expect(job.body.manifest.execute).toMatchObject({ script: SCRIPT, shell: "sh", timeout: "60s" });
    const exec = await kanade("exec", "printf-probe", "--pcs", "run-pc-1", "--wait", "--json");
    expect(exec.code, exec.stderr).toBe(0);
    const id = (JSON.parse(exec.stdout) as ExecutionDetail).exec_id;
    // The same script, now under the job's id.
    expect((await resultsOf(env(), id))[0]).toMatchObject({ status: "succeeded", stdout: `printf-probe|naïve "quoted" $HOME\n` });
    // A job's own execution has no ad-hoc script to promote.
    const again = await kanade("job", "from-run", id, "--id", "x", "--version", "1.0.0");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ran a job, not an ad-hoc script/);
  });

  it("refuses viewers (403) and bad bodies (400 naming the field)", async () => {
    const viewer = await as<ErrBody>(env(), "vera", "POST", "/api/run", { pcs: ["run-pc-1"], shell: "sh", script: "id" });
    expect(viewer.status).toBe(403);
    const empty = await as<ErrBody>(env(), "otto", "POST", "/api/run", { pcs: ["run-pc-1"], script: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details?.map((d) => d.path)).toEqual(["script"]);
    const shell = await as<ErrBody>(env(), "otto", "POST", "/api/run", { pcs: ["run-pc-1"], shell: "zsh", script: "id" });
    expect(shell.status).toBe(400);
    expect(shell.body.error.details?.map((d) => d.path)).toEqual(["shell"]);
    const noTarget = await as<ErrBody>(env(), "otto", "POST", "/api/run", { script: "id" });
    expect(noTarget.status).toBe(400);
    const cli = await kanade("run", "--pcs", "run-pc-1", "--shell", "zsh", "--", "id");
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--shell/);
    // Nobody may create a job under the ad-hoc id.
    const reserved = await as<ErrBody>(env(), "otto", "POST", "/api/jobs", { id: "adhoc", version: "1.0.0", execute: { shell: "sh", script: "id" } });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.details?.map((d) => d.path)).toEqual(["id"]);
  });
});

describe("live output: kanade results --follow", () => {
  const env = useEnv(["tail-pc-1", "tail-pc-2"], {}, []);
  const kanade = (...args: string[]) => runCli(args, { backendUrl: env().backend.url, token: env().backend.token });
  let nc: NatsConnection;
  afterAll(async () => nc?.close());
  const start = async (pcs: string, script: string): Promise<string> => {
    const run = await kanade("run", "--pcs", pcs, "--shell", "sh", "--json", "--", script);
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as { exec_id: string }).exec_id;
  };

  it("sends nothing while nobody follows, and shows the first line while the script still runs", async () => {
    nc = await connect({ servers: env().nats.url });
    const asked: string[] = [];
    const spy = nc.subscribe(subjects.agentTail("tail-pc-1"), { callback: (_e, m) => void asked.push(m.subject) });
    await nc.flush();
    const quiet = await start("tail-pc-1", "echo quiet; sleep 1");
    await resultOn(env(), quiet, "tail-pc-1", "the unfollowed run's result");
    await nc.flush();
    expect(asked).toEqual([]);

    const id = await start("tail-pc-1", "echo first line; sleep 20; echo never");
    const fired = Date.now();
    const seen = await waitFor(
      async () => {
        const r = await env().backend.api<{ running: boolean; stdout: { text: string; next: number } }>(
          "GET",
          `/api/executions/${id}/tail?pc=tail-pc-1`,
        );
        return r.status === 200 && r.body.stdout.text.includes("first line") ? r.body : undefined;
      },
      { what: "the first line in the live tail" },
    );
    // A figure, not an assertion: how long after `kanade run` returned the first line was readable.
    console.log(JSON.stringify({ bench: "live-tail-first-line", ms_after_run_returned: Date.now() - fired }));
    expect(seen).toMatchObject({ running: true, stdout: { text: "first line\n", next: 11 } });
    expect(asked.length).toBeGreaterThan(0);
    // The row turns running with the started event, which the agent sends once a run has lasted a second.
    await waitFor(async () => (await env().backend.api<ExecutionDetail>("GET", `/api/executions/${id}`)).body.rows?.[0]?.status === "running", {
      what: "the row to show running",
    });
    expect((await kanade("kill", id)).code).toBe(0);
    spy.unsubscribe();
    // An unknown execution, and a PC no agent answers for.
    const unknown = await env().backend.api<ErrBody>("GET", `/api/executions/01936f0e-8a4b-7c21-9a55-3f0c2b1d4e6f/tail?pc=tail-pc-1`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "EXECUTION_NOT_FOUND"]);
    const silent = await env().backend.api<ErrBody>("GET", `/api/executions/${id}/tail?pc=no-such-pc`);
    expect([silent.status, silent.body.error.code]).toEqual([504, "TIMEOUT"]);
  });

  it("prints both PCs' output while they run and completes it from the results, prefixed per PC", async () => {
    const id = await start("tail-pc-1,tail-pc-2", 'echo "one on $KANADE_PC_ID"; sleep 2; echo "oops on $KANADE_PC_ID" >&2; echo "two on $KANADE_PC_ID"');
    const follow = await kanade("results", "--follow", id);
    expect(follow.code, follow.stderr).toBe(0);
    for (const pc of ["tail-pc-1", "tail-pc-2"]) {
      const lines = follow.stdout.split("\n").filter((l) => l.startsWith(`${pc} | `));
      expect(lines).toEqual([`${pc} | one on ${pc}`, `${pc} | two on ${pc}`]);
      expect(follow.stderr).toContain(`${pc} | oops on ${pc}`);
      expect(follow.stderr).toContain(`[${pc}: succeeded]`);
    }
    // One PC: its output as it is, and a failing script fails the follow.
    const one = await start("tail-pc-2", "echo alone; exit 3");
    const single = await kanade("results", "--follow", one.slice(-8), "--pc", "tail-pc-2");
    expect(single.code).toBe(1);
    expect(single.stdout).toBe("alone\n");
    expect(single.stderr).toMatch(/\[tail-pc-2: failed\]/);
  });
});

describe("ad-hoc policy: admins only, and every run waits for approval", () => {
  const env = useEnv(["gate-pc"], { adhocOperators: false, adhocRequireApproval: true }, [["ada", "admin"], ["otto", "operator"]]);

  it("refuses an operator (403, audited) and holds an admin's run until another operator approves it", async () => {
    const refused = await as<ErrBody>(env(), "otto", "POST", "/api/run", { pcs: ["gate-pc"], shell: "sh", script: "echo nope" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/adhoc_operators = false/);
    const audited = await waitFor(
      async () => (await env().backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?action=run.refused")).body.items[0],
      { what: "run.refused in the audit log" },
    );
    expect(audited).toMatchObject({ actor: "otto", payload_summary: { script: "echo nope" } });

    const run = await as<{ exec_id: string; state: string }>(env(), "ada", "POST", "/api/run", { pcs: ["gate-pc"], shell: "sh", script: "echo approved-run" });
    expect(run).toMatchObject({ status: 202, body: { state: "pending_approval" } });
    const id = run.body.exec_id;
    const detail = (await env().backend.api<ExecutionDetail>("GET", `/api/executions/${id}`)).body;
    expect(detail.approval?.manifest?.execute.script).toBe("echo approved-run");
    // The requester cannot approve their own run; another operator can, for the digest they saw.
    expect((await as(env(), "ada", "POST", `/api/executions/${id}/approve`, {})).status).toBe(403);
    const ok = await as<{ state: string }>(env(), "otto", "POST", `/api/executions/${id}/approve`, { manifest_digest: detail.manifest_digest });
    expect(ok).toMatchObject({ status: 200, body: { state: "running" } });
    expect(await resultOn(env(), id, "gate-pc", "the approved run's result")).toMatchObject({ status: "succeeded", stdout: "approved-run\n" });
  });
});
