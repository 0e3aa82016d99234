/**
 * What the operator's screens ask of the API at fleet scale: agents filtered and enriched (address, host CPU and
 * memory, logged-on user), a target previewed as a PC count before firing, many PCs into a group in one request,
 * "who lacks app X", execution ids by a short prefix or suffix, and execution rows that carry what triage needs
 * (first stderr line, skip reason, whether the PC is online). Real nats-server, real backend, real SQLite.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import {
  subjects,
  type AgentSummary,
  type ExecPreview,
  type ExecResult,
  type ExecutionSummary,
  type ExecutionView,
  type GroupMembersAdded,
  type GroupSummary,
  type JobSummary,
  type ListResponse,
  type MissingApp,
} from "@kanade/protocol";
import { sampleHeartbeat, sampleHostPerf, sampleInventory, waitFor } from "@kanade/testkit";
import { HELLO_YAML, makeResult, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string } };

describe("the API behind the operator's screens", () => {
  const env = useBackendEnv();
  let js: JetStreamClient;
  const api = <T>(method: string, path: string, body?: unknown) => env().backend.api(method, path, body) as Promise<{ status: number; body: T }>;
  const agents = async (query = ""): Promise<AgentSummary[]> => (await api<ListResponse<AgentSummary>>("GET", `/api/agents${query}`)).body.items;

  beforeAll(async () => {
    js = jetstream(env().nc);
    const { nc } = env();
    // fs-1 and fs-2 stay online (long interval); fs-3 announces a 1 s interval and goes quiet, so it is offline.
    nc.publish(subjects.heartbeat("fs-1"), JSON.stringify(sampleHeartbeat("fs-1", { logged_in_user: "CORP\\hanako" })));
    nc.publish(subjects.heartbeat("fs-2"), JSON.stringify(sampleHeartbeat("fs-2")));
    nc.publish(subjects.heartbeat("fs-3"), JSON.stringify(sampleHeartbeat("fs-3", { heartbeat_interval_secs: 1 })));
    const net = { interfaces: [{ name: "lo", ip4: "127.0.0.1", internal: true }, { name: "eth0", ip4: "10.20.0.1", internal: false }] };
    await js.publish(subjects.inventory("fs-1", "net"), JSON.stringify(sampleInventory("fs-1", "net", net)));
    const sw = (apps: { name: string; version: string }[]) => ({ source: "test", apps: apps.map((a) => ({ ...a, publisher: "Contoso" })) });
    await js.publish(subjects.inventory("fs-1", "sw"), JSON.stringify(sampleInventory("fs-1", "sw", sw([{ name: "7-Zip 23.01", version: "23.01" }]))));
    await js.publish(subjects.inventory("fs-2", "sw"), JSON.stringify(sampleInventory("fs-2", "sw", sw([{ name: "Notepad++", version: "8.6" }]))));
    nc.publish(subjects.hostPerf("fs-1"), JSON.stringify(sampleHostPerf("fs-1", 42)));
    await waitFor(async () => (await agents()).length === 3 && (await agents()).some((a) => a.ip_addresses?.length && a.cpu_pct !== null), {
      what: "three agents, with fs-1's address and perf",
    });
    await waitFor(async () => (await agents("?online=false")).length === 1, { what: "fs-3 offline" });
    expect((await api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
  });

  it("lists agents with address, host CPU and memory, logged-on user; filters by group, state and text", async () => {
    const one = (await agents()).find((a) => a.pc_id === "fs-1");
    expect(one).toMatchObject({ ip_addresses: ["10.20.0.1"], cpu_pct: 42, mem_used_bytes: 4 * 1024 ** 3, mem_total_bytes: 16 * 1024 ** 3, logged_in_user: "CORP\\hanako" });
    expect(one?.perf_at).toBeTruthy();
    expect((await agents("?online=false")).map((a) => a.pc_id)).toEqual(["fs-3"]);
    expect((await agents("?q=hanako")).map((a) => a.pc_id)).toEqual(["fs-1"]);
    expect((await agents("?q=10.20.0")).map((a) => a.pc_id)).toEqual(["fs-1"]);
    // A new network inventory moves the address shown (the address map is cached between inventories).
    const moved = { interfaces: [{ name: "eth0", ip4: "10.30.0.9", internal: false }] };
    await js.publish(subjects.inventory("fs-1", "net"), JSON.stringify(sampleInventory("fs-1", "net", moved)));
    await waitFor(async () => (await agents("?q=10.30.0.9")).length === 1, { what: "the new address listed" });
    expect((await agents()).find((a) => a.pc_id === "fs-1")?.ip_addresses).toEqual(["10.30.0.9"]);

    const added = await api<GroupMembersAdded>("POST", "/api/groups/tokyo/members", { pcs: ["fs-1", "fs-3", "fs-1"] });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ group: "tokyo", added: ["fs-1", "fs-3"], members: ["fs-1", "fs-3"] });
    expect((await agents("?group=tokyo")).map((a) => a.pc_id)).toEqual(["fs-1", "fs-3"]);
    expect((await agents("?group=tokyo&online=true")).map((a) => a.pc_id)).toEqual(["fs-1"]);
    // Search matches groups too.
    expect((await agents("?q=tokyo")).map((a) => a.pc_id)).toEqual(["fs-1", "fs-3"]);
  });

  it("adds many PCs to a group in one request: members already in count once, bad ids are refused whole", async () => {
    const again = await api<GroupMembersAdded>("POST", "/api/groups/tokyo/members", { pcs: ["fs-1", "fs-2"] });
    expect(again.body).toEqual({ group: "tokyo", added: ["fs-2"], members: ["fs-1", "fs-2", "fs-3"] });
    const groups = (await api<ListResponse<GroupSummary>>("GET", "/api/groups")).body.items;
    expect(groups.find((g) => g.name === "tokyo")?.pcs).toEqual(["fs-1", "fs-2", "fs-3"]);
    const bad = await api<ErrBody>("POST", "/api/groups/tokyo/members", { pcs: ["fs-1", "not a pc"] });
    expect(bad.status).toBe(400);
    const empty = await api<ErrBody>("POST", "/api/groups/tokyo/members", { pcs: [] });
    expect(empty.status).toBe(400);
    const audit = (await api<ListResponse<{ action: string; target: string }>>("GET", "/api/audit?action=group.members.add")).body.items;
    expect(audit.map((e) => e.target)).toEqual(["tokyo", "tokyo"]);
  });

  it("previews a target as a PC count with online, offline and unknown PCs, without firing it", async () => {
    const group = await api<ExecPreview>("POST", "/api/exec/hello/preview", { groups: ["tokyo"] });
    expect(group.status).toBe(200);
    expect(group.body).toEqual({ job_id: "hello", version: "1.0.0", require_approval: false, target_count: 3, online: 2, offline: 1, unknown: [] });
    const named = await api<ExecPreview>("POST", "/api/exec/hello/preview", { pcs: ["fs-1", "ghost-pc"] });
    expect(named.body).toMatchObject({ target_count: 2, online: 1, offline: 0, unknown: ["ghost-pc"] });
    const all = await api<ExecPreview>("POST", "/api/exec/hello/preview", { all: true });
    expect(all.body.target_count).toBe(3);
    expect((await api<ErrBody>("POST", "/api/exec/nope/preview", { all: true })).body.error.code).toBe("JOB_NOT_FOUND");
    expect((await api<ErrBody>("POST", "/api/exec/hello/preview", {})).body.error.code).toBe("NO_TARGET");
    // Nothing was fired.
    expect((await api<ListResponse<ExecutionSummary>>("GET", "/api/executions")).body.items).toEqual([]);
  });

  it("answers who lacks an application, and which PCs never reported software", async () => {
    const r = await api<MissingApp>("GET", "/api/inventory/apps/missing?app=7-zip");
    expect(r.status).toBe(200);
    expect(r.body.items.map((x) => x.pc_id)).toEqual(["fs-2"]);
    expect(r.body.without_inventory).toEqual(["fs-3"]);
    expect((await api<ErrBody>("GET", "/api/inventory/apps/missing?app=")).status).toBe(400);
  });

  it("flags inventory jobs in the catalog", async () => {
    const inv = HELLO_YAML.replace("id: hello", "id: disk-facts").replace("timeout: 30s", "timeout: 30s\ninventory:\n  display: [{ field: free, label: Free }]");
    expect((await api("POST", "/api/jobs", inv)).status).toBe(201);
    const jobs = (await api<ListResponse<JobSummary>>("GET", "/api/jobs")).body.items;
    expect(Object.fromEntries(jobs.map((j) => [j.id, j.inventory]))).toEqual({ "disk-facts": true, hello: false });
  });

  it("finds an execution by a short prefix or suffix of its id, and gives rows what triage needs", async () => {
    const fired = await api<{ exec_id: string }>("POST", "/api/exec/hello", { pcs: ["fs-1", "fs-2", "fs-3"] });
    expect(fired.status).toBe(202);
    const execId = fired.body.exec_id;
    const hex = execId.replace(/-/g, "");
    for (const id of [hex.slice(-8), hex.slice(0, 14), execId.slice(0, 13)]) {
      const found = (await api<ListResponse<ExecutionSummary>>("GET", `/api/executions?id=${id}`)).body.items;
      expect(found.map((e) => e.exec_id), id).toEqual([execId]);
    }
    expect((await api<ListResponse<ExecutionSummary>>("GET", "/api/executions?id=ffffffffffff")).body.items).toEqual([]);
    expect((await api<ErrBody>("GET", "/api/executions?id=xyz")).status).toBe(400);

    const failed: ExecResult = makeResult(execId, "fs-1", { status: "failed", exit_code: 2, stdout: "", stderr: "\nAccess is denied.\nat line 3" });
    const skipped: ExecResult = makeResult(execId, "fs-2", { status: "skipped", exit_code: 126, stdout: "", stderr: "", skip_reason: "revoked" });
    for (const r of [failed, skipped]) await js.publish(subjects.result(r.exec_id, r.pc_id), JSON.stringify(r), { msgID: r.result_id });
    const view = await waitFor(async () => {
      const v = (await api<ExecutionView>("GET", `/api/executions/${execId}`)).body;
      return v.counts.done === 2 ? v : undefined;
    }, { what: "two results projected" });
    const rows = Object.fromEntries((view.rows ?? []).map((r) => [r.pc_id, r]));
    expect(rows["fs-1"]).toMatchObject({ status: "failed", stderr_first_line: "Access is denied.", online: true });
    expect(rows["fs-2"]).toMatchObject({ status: "skipped", skip_reason: "revoked", online: true });
    expect(rows["fs-3"]).toMatchObject({ status: "pending", online: false });
    expect(view.state).toBe("running");
    expect(view.offline_waiting).toBe(1);
  });
});
