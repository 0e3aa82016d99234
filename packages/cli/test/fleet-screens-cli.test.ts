/**
 * The CLI at fleet scale, as the real binary against a real backend and nats-server: agents filtered by group,
 * state and text with a count at the end, many PCs into a group in one request, `exec --wait` ending with a
 * per-status summary (skip reasons included) and `--failed-only`, executions with one column per status,
 * results with their job and exec, ids by their short tail, and inventory that reads like inventory.
 * Heartbeats, inventory and results are published the way agents publish them.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { v7 as uuidv7 } from "uuid";
import { shortId, subjects, type AuditRecord, type ExecutionSummary } from "@kanade/protocol";
import { runCli, sampleHeartbeat, sampleHostPerf, sampleInventory, sampleResult, sampleSoftware, startNatsServer, startTestBackend, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let nats: NatsServer;
let backend: TestBackend;
let nc: NatsConnection;
let js: JetStreamClient;

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 30_000 });
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await kanade(...args, "--json");
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as T;
};

const PCS = ["sc-01", "sc-02", "sc-03", "sc-04"];
beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  // sc-04 reports a 1 s interval and then stays quiet: offline.
  for (const pc of PCS) {
    const hb = sampleHeartbeat(pc, { heartbeat_interval_secs: pc === "sc-04" ? 1 : 3600, ...(pc === "sc-01" ? { logged_in_user: "CORP\\taro" } : {}) });
    nc.publish(subjects.heartbeat(pc), JSON.stringify(hb));
  }
  nc.publish(subjects.hostPerf("sc-01"), JSON.stringify(sampleHostPerf("sc-01", 37, { mem_used_bytes: 8 * 1024 ** 3 })));
  await js.publish(subjects.inventory("sc-01", "sw"), JSON.stringify(sampleSoftware("sc-01", [["openssl", "3.0.13"], ["libssl3", "3.0.13"]])));
  await js.publish(subjects.inventory("sc-02", "sw"), JSON.stringify(sampleSoftware("sc-02", [["openssl", "3.0.13"]])));
  await js.publish(subjects.inventory("sc-03", "sw"), JSON.stringify(sampleSoftware("sc-03", [["openssl", "3.0.2"], ["python3-openssl", "23.0.0"]])));
  await js.publish(subjects.inventory("sc-01", "hw"), JSON.stringify(sampleInventory("sc-01", "hw", { ram_bytes: 16 * 1024 ** 3, volumes: [{ mount: "C:", free_bytes: 512 * 1024 ** 2 }] })));
  await js.publish(subjects.inventory("sc-01", "net"), JSON.stringify(sampleInventory("sc-01", "net", { interfaces: [{ name: "eth0", ip4: "10.9.8.7", internal: false }] })));
  await waitFor(async () => (await json<unknown[]>("agents", "--offline")).length === 1, { what: "sc-04 offline", timeoutMs: 20_000 });
  await waitFor(async () => (await json<unknown[]>("inventory", "--app", "ssl")).length === 5, { what: "software indexed" });
  const hello = "id: hello\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: 30s\n";
  const res = await fetch(`${backend.url}/api/jobs`, { method: "POST", headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/yaml" }, body: hello });
  expect(res.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await backend?.close();
  await nats?.stop();
});

describe("kanade agents and groups at fleet scale", () => {
  it("adds many PCs to a group in one request", async () => {
    const r = await kanade("group", "add", "tokyo", "--pcs", "sc-01", "sc-02,sc-04");
    expect(r).toMatchObject({ code: 0, stderr: "", stdout: "tokyo: added 3 PCs; 3 members\n" });
    const again = await kanade("group", "add", "tokyo", "osaka", "--pcs", "sc-01", "sc-03");
    expect(again.stdout).toBe("tokyo: added 1 PC (1 already in it); 4 members\nosaka: added 2 PCs; 2 members\n");
    const audit = await backend.api<{ items: AuditRecord[] }>("GET", "/api/audit?action=group.members.add");
    expect(audit.body.items).toHaveLength(3);
    // The one-PC form still works.
    expect((await kanade("group", "add", "sc-03", "lab")).stdout).toBe("sc-03 groups: lab, osaka, tokyo\n");
  });

  it("filters by group, state and text, shows user, address, CPU and memory, ends with a count, and says when it was seen", async () => {
    const r = await kanade("agents", "--group", "tokyo");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^PC\s+ONLINE\s+HOSTNAME\s+OS\s+VERSION\s+USER\s+IP\s+CPU\s+MEM\s+GROUPS\s+TAGS\s+LAST SEEN$/);
    expect(lines.find((l) => l.startsWith("sc-01"))).toMatch(/^sc-01\s+yes\s+sc-01\.corp\s+windows 11\s+1\.0\.0\s+CORP\\taro\s+10\.9\.8\.7\s+37%\s+50%\s+osaka,tokyo\s+-\s+\d+s ago$/);
    // An offline PC shows no load: its last sample is history.
    expect(lines.find((l) => l.startsWith("sc-04"))).toMatch(/^sc-04\s+no\s+.*\s+-\s+-\s+tokyo\s+-\s+\d+s ago$/);
    expect(lines.at(-1)).toBe("4 agents: 3 online, 1 offline");
    expect((await kanade("agents", "--group", "tokyo", "--offline")).stdout.trimEnd().split("\n").at(-1)).toBe("1 agent: 0 online, 1 offline");
    expect((await json<{ pc_id: string }[]>("agents", "-q", "taro")).map((a) => a.pc_id)).toEqual(["sc-01"]);
    expect((await json<{ pc_id: string }[]>("agents", "--search", "osaka lab")).map((a) => a.pc_id)).toEqual(["sc-03"]);
    expect((await kanade("agents", "--iso")).stdout).toMatch(/\s\d{4}-\d\d-\d\dT[\d:.]+Z$/m);
  });
});

describe("kanade exec --wait, executions and results on a mixed outcome", () => {
  let execId = "";

  it("ends --wait with a per-status summary and skip reasons; --failed-only prints only the rest", async () => {
    const waiting = kanade("exec", "hello", "--pcs", "sc-01,sc-02,sc-03", "--wait", "--failed-only");
    const exec = await waitFor(async () => (await json<ExecutionSummary[]>("executions"))[0], { what: "the execution" });
    execId = exec.exec_id;
    const result = (pc: string, over: Record<string, unknown>) => sampleResult({ result_id: uuidv7(), request_id: uuidv7(), exec_id: execId, pc_id: pc, job_id: "hello", version: "1.0.0", ...over });
    const results = [
      result("sc-01", { status: "succeeded", exit_code: 0, stdout: "hi\n", stderr: "" }),
      result("sc-02", { status: "failed", exit_code: 5, stdout: "", stderr: "Access is denied.\n" }),
      result("sc-03", { status: "skipped", exit_code: 126, stdout: "", stderr: "", skip_reason: "job revoked", started_at: null }),
    ];
    for (const r of results) await js.publish(subjects.result(execId, r.pc_id), JSON.stringify(r), { msgID: r.result_id });
    const r = await waiting;
    expect(r.code).toBe(1);
    const out = r.stdout.split("\n");
    expect(out.slice(0, 2)).toEqual([`exec_id: ${execId}`, "targets: 3"]);
    expect(out[2]).toMatch(/^PC\s+STATUS\s+EXIT\s+DURATION\s+OUTPUT$/);
    expect(out[3]).toMatch(/^sc-02\s+failed\s+5\s+\S+\s+stderr: Access is denied\.$/);
    expect(out[4]).toMatch(/^sc-03\s+skipped\s+126\s+\S+\s+job revoked$/);
    expect(out.slice(5)).toEqual(["3 PCs: 1 succeeded, 1 failed, 1 skipped", "  skipped: job revoked (1)", ""]);
    expect(r.stderr).toMatch(/error: 2 of 3 PC\(s\) did not succeed\n$/);
  });

  it("lists executions with one column per status and finds one by the tail the UI shows", async () => {
    const table = await kanade("executions");
    expect(table.stdout).toMatch(new RegExp(`^${shortId(execId)}\\s+hello\\s+1\\.0\\.0\\s+completed\\s+3/3\\s+1\\s+1\\s+0\\s+0\\s+0\\s+1\\s+0\\s+\\d+s ago$`, "m"));
    const one = await kanade("executions", shortId(execId), "--failed-only");
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`exec_id: ${execId}\n`);
    expect(one.stdout).not.toMatch(/^sc-01\s/m);
    expect(one.stdout).toMatch(/^sc-02\s+failed/m);
    expect(one.stdout).toContain("3 PCs: 1 succeeded, 1 failed, 1 skipped\n");
    const head = execId.replace(/-/g, "").slice(0, 20);
    expect((await kanade("executions", head)).stdout).toContain(`exec_id: ${execId}\n`);
    const none = await kanade("executions", "ffffffff");
    expect(none).toMatchObject({ code: 1, stderr: 'error: no execution id starts or ends with "ffffffff"\n' });
  });

  it("shows each result's job and exec, and filters results by the short exec id", async () => {
    const r = await kanade("results", "--exec", shortId(execId));
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^PC\s+STATUS\s+JOB\s+EXEC\s+EXIT\s+DURATION\s+FINISHED\s+OUTPUT$/);
    expect(r.stdout).toMatch(new RegExp(`^sc-02\\s+failed\\s+hello 1\\.0\\.0\\s+${shortId(execId)}\\s+5\\s+\\S+\\s+\\S+ ago\\s+stderr: Access is denied\\.$`, "m"));
    expect(r.stdout).toMatch(/^sc-03\s+skipped\s+.*\s+job revoked$/m);
  });
});

describe("kanade inventory reads like inventory", () => {
  it("gives one row per package and version with its PC count", async () => {
    const r = await kanade("inventory", "--app", "openssl");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      expect.stringMatching(/^APPLICATION\s+VERSION\s+PUBLISHER\s+PCS$/),
      expect.stringMatching(/^openssl\s+3\.0\.2\s+Example\s+1$/),
      expect.stringMatching(/^openssl\s+3\.0\.13\s+Example\s+2$/),
      expect.stringMatching(/^python3-openssl\s+23\.0\.0\s+Example\s+1$/),
      "3 package versions on 3 PCs (--pcs lists each PC)",
      "",
    ]);
  });

  it("says so and exits 1 when no PC has the application", async () => {
    const r = await kanade("inventory", "--app", "7-Zip");
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: 'error: no PC reports an application whose name contains "7-Zip"\n' });
  });

  it("answers who lacks an application, and who never reported software", async () => {
    const r = await kanade("inventory", "--missing", "libssl");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PC\s+SOFTWARE COLLECTED\nsc-02\s+\S+\nsc-03\s+\S+\n/);
    expect(r.stdout).toContain('2 PCs without an application matching "libssl"; 1 more never reported software: sc-04\n');
  });

  it("prints sizes in units, not raw bytes", async () => {
    const r = await kanade("inventory", "sc-01");
    expect(r.stdout).toContain("ram_bytes: 16.0 GiB");
    expect(r.stdout).toContain("free_bytes: 512.0 MiB");
    expect(r.stdout).not.toContain("17179869184");
  });
});
