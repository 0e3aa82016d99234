/**
 * Permission groups against a real backend, nats-server and SQLite. The core is a walk over the whole route
 * table with a scope dimension: two operators scoped to disjoint PC sets (alpha and bravo) call every route
 * with their own and with the other's PCs, groups, executions and results; nothing about the other's PCs may
 * come back, and every route about PCs outside the scope is refused with OUT_OF_SCOPE. Plus exec targets
 * narrowed to the scope, capabilities, the live fleet perf socket, the approver-group rule and the admin API.
 */
import { beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { v7 as uuidv7 } from "uuid";
import {
  routeEntries,
  subjects,
  type AuditRecord,
  type ExecResponse,
  type ExecutionView,
  type Identity,
  type FleetSummary,
  type ListResponse,
  type LoginResponse,
  type PerfFrame,
  type PermGroup,
  type ResultRecord,
  type RouteDef,
} from "@kanade/protocol";
import { sampleHeartbeat, sampleHostPerf, sampleSoftware, waitFor } from "@kanade/testkit";
import { openDatabase } from "../src/db/database.js";
import { SCOPE_RULES } from "../src/governance/scope-rules.js";
import { HELLO_YAML, TOKEN, dbTarget, makeResult, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string } };
const PASSWORD = "correct horse battery";
const GUARDED_YAML = HELLO_YAML.replace("id: hello", "id: guarded").replace(
  "description: Say hello",
  "description: Guarded\nrequire_approval: true\napproval:\n  approver_group: security",
);

/** Two teams on disjoint PCs, and a PC nobody is scoped to. Names are distinct so no id is a substring of another. */
const TEAMS = {
  ann: { perm: "team-alpha", group: "grp-alpha", pcs: ["pc-alpha-one", "pc-alpha-two"] },
  bob: { perm: "team-bravo", group: "grp-bravo", pcs: ["pc-bravo-one", "pc-bravo-two"] },
} as const;
type Member = keyof typeof TEAMS;
const LONE_PC = "pc-xray-lone";
const ALL_PCS = [...TEAMS.ann.pcs, ...TEAMS.bob.pcs, LONE_PC];
const ALL_CAPS = ["exec", "run", "kill", "approve", "agents", "config", "jobs", "publish"];
const other = (m: Member): Member => (m === "ann" ? "bob" : "ann");

describe("permission groups", () => {
  const env = useBackendEnv({ bootstrapAdmin: { username: "root", password: "first-password" } });
  let js: JetStreamClient;
  const tokens = new Map<string, string>();
  /** Per team: an execution it fired at its own PCs, and one of its results. */
  const own = new Map<Member, { execId: string; resultId: string }>();
  let fleetExecId = "";

  const as = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${env().backend.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(who) ?? TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      parsed = undefined; // YAML, Prometheus text
    }
    return { status: res.status, body: parsed, text };
  };
  const admin = (method: string, path: string, body?: unknown) => env().backend.api(method, path, body);
  const login = async (username: string): Promise<void> => {
    const r = await as("nobody", "POST", "/api/auth/login", { username, password: PASSWORD });
    expect(r.status, `login ${username}`).toBe(200);
    tokens.set(username, (r.body as LoginResponse).token);
  };
  const makeAccount = async (username: string, role: "viewer" | "operator", permGroups: string[]): Promise<void> => {
    expect((await admin("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
    if (permGroups.length) expect((await admin("PUT", `/api/accounts/${username}/perm-groups`, { perm_groups: permGroups })).status).toBe(200);
    await login(username);
  };
  const publishResult = async (execId: string, pc: string): Promise<string> => {
    const r = makeResult(execId, pc);
    await js.publish(subjects.result(execId, pc), JSON.stringify(r), { msgID: r.result_id });
    return r.result_id;
  };

  beforeAll(async () => {
    js = jetstream(env().nc);
    const { nc } = env();
    for (const pc of ALL_PCS) {
      nc.publish(subjects.heartbeat(pc), JSON.stringify(sampleHeartbeat(pc)));
      nc.publish(subjects.hostPerf(pc), JSON.stringify(sampleHostPerf(pc, 10)));
      await js.publish(subjects.inventory(pc, "sw"), JSON.stringify(sampleSoftware(pc, [["7-Zip 23.01", "23.01"]])));
      const event = { event_id: uuidv7(), pc_id: pc, at: new Date().toISOString(), kind: "agent_started", source: "agent" };
      await js.publish(subjects.pcEvent(pc, "agent_started"), JSON.stringify(event));
    }
    for (const m of ["ann", "bob"] as const) {
      for (const pc of TEAMS[m].pcs) expect((await admin("PUT", `/api/agents/${pc}/groups`, { groups: [TEAMS[m].group] })).status).toBe(200);
      expect((await admin("PUT", `/api/perm-groups/${TEAMS[m].perm}`, { pc_groups: [TEAMS[m].group], capabilities: ALL_CAPS })).status).toBe(201);
    }
    expect((await admin("PUT", "/api/perm-groups/security", { pc_groups: [TEAMS.ann.group], capabilities: ["approve"], description: "approvers" })).status).toBe(201);
    await makeAccount("ann", "operator", [TEAMS.ann.perm]);
    await makeAccount("bob", "operator", [TEAMS.bob.perm]);
    await makeAccount("olga", "operator", []);
    await makeAccount("sec", "operator", ["security"]);
    expect((await admin("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
    expect((await admin("POST", "/api/jobs", GUARDED_YAML)).status).toBe(201);

    for (const m of ["ann", "bob"] as const) {
      const r = await as(m, "POST", "/api/exec/hello", { pcs: [...TEAMS[m].pcs] });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const execId = (r.body as ExecResponse).exec_id;
      const resultId = await publishResult(execId, TEAMS[m].pcs[0]);
      await publishResult(execId, TEAMS[m].pcs[1]);
      own.set(m, { execId, resultId });
    }
    const fleetExec = await admin("POST", "/api/exec/hello", { all: true });
    fleetExecId = (fleetExec.body as ExecResponse).exec_id;
    for (const pc of ALL_PCS) await publishResult(fleetExecId, pc);
    await waitFor(async () => ((await admin("GET", "/api/results?limit=100")).body as ListResponse<ResultRecord>).items.length === 9 || undefined, {
      what: "nine results projected",
    });
    await waitFor(async () => {
      const agents = (await admin("GET", "/api/agents")).body as ListResponse<{ pc_id: string; cpu_pct: number | null }>;
      const perf = (await admin("GET", "/api/perf/fleet")).body as { items: unknown[] };
      const inv = (await admin("GET", "/api/inventory?app=7-Zip")).body as { items: unknown[] };
      const events = (await admin("GET", "/api/events?kind=agent_started")).body as { items: unknown[] };
      return agents.items.length === 5 && perf.items.length === 5 && inv.items.length === 5 && events.items.length === 5 ? true : undefined;
    }, { what: "agents, perf, inventory and events of all five PCs" });
  });

  /**
   * Every id a member must never see in an answer: the other team's PCs, group, execution and result, and the
   * lone PC. (The admin's whole-fleet execution may be named by the results it left on the member's own PCs.)
   */
  const foreignIds = (m: Member): string[] => [...TEAMS[other(m)].pcs, LONE_PC, TEAMS[other(m)].group, own.get(other(m))!.execId, own.get(other(m))!.resultId];

  const fill = (def: RouteDef, m: Member, whose: Member): string => {
    const values: Record<string, string> = {
      pc: TEAMS[whose].pcs[0],
      g: TEAMS[whose].group,
      exec_id: own.get(whose)!.execId,
      result_id: own.get(whose)!.resultId,
      job_id: "hello",
      id: "hello",
      job: "hello",
      username: m,
      name: TEAMS[m].perm,
      version: "0.0.0",
      stream: "stdout",
      file: "job-manifest.json",
    };
    return def.path.replace(/:([A-Za-z_]+)/g, (_m, p: string) => values[p] ?? "x");
  };

  it("walks every route of the table: a scoped operator's reads name only its own PCs, and anything about other PCs is refused", async () => {
    const registered = new Set(env().backend.routes.map((r) => `${r.method} ${r.url}`));
    const checked = { refused: 0, read: 0 };
    for (const [name, def] of routeEntries) {
      const rule = SCOPE_RULES[name];
      if (def.access === "public" || def.access === "admin" || def.response.kind === "websocket") continue;
      if (!registered.has(`${def.method} ${def.path}`)) continue;
      for (const m of ["ann", "bob"] as const) {
        const what = `${def.method} ${def.path} as ${m} (${rule.kind})`;
        // The other team's PC, group, execution or result in the path, and whole-fleet routes: refused, whatever the method.
        if (["pc", "group", "exec", "result", "fleet"].includes(rule.kind)) {
          const body = ["GET", "DELETE"].includes(def.method) ? undefined : {};
          const r = await as(m, def.method, fill(def, m, other(m)), body);
          expect(r.status, what).toBe(403);
          expect((r.body as ErrBody).error.code, what).toBe("OUT_OF_SCOPE");
          checked.refused++;
          if (rule.kind === "fleet") continue;
        }
        // Its own PC, group, execution or result: every read answers, and names nothing of the other team's.
        if (def.method !== "GET") continue;
        const query = name === "findInstalledApps" || name === "findMissingApp" ? "?app=7-Zip" : name === "listAudit" || name === "listResults" || name === "listExecutions" ? "?limit=500" : "";
        const r = await as(m, "GET", fill(def, m, m) + query);
        expect([401, 403], `${what}: ${r.text.slice(0, 200)}`).not.toContain(r.status);
        for (const id of foreignIds(m)) expect(r.text.includes(id), `${what} leaks ${id}`).toBe(false);
        checked.read++;
      }
    }
    expect(checked.refused).toBeGreaterThan(60);
    expect(checked.read).toBeGreaterThan(60);
  });

  it("filters lists to the scope: agents, results, executions, inventory, perf, events, groups, audit", async () => {
    for (const m of ["ann", "bob"] as const) {
      const mine: string[] = [...TEAMS[m].pcs].sort();
      const pcsOf = async (path: string): Promise<string[]> =>
        [...new Set(((await as(m, "GET", path)).body as { items: { pc_id: string }[] }).items.map((i) => i.pc_id))].sort();
      expect(await pcsOf("/api/agents")).toEqual(mine);
      // The dashboard's counts are of the same PCs.
      expect(((await as(m, "GET", "/api/fleet/summary")).body as FleetSummary).agents.total).toBe(mine.length);
      // A page is read from the caller's PCs only, so each one is full and the last says so.
      const agentsPage = async (query: string): Promise<ListResponse<{ pc_id: string }>> => (await as(m, "GET", `/api/agents?limit=1${query}`)).body as ListResponse<{ pc_id: string }>;
      const first = await agentsPage("");
      expect(first.items.map((a) => a.pc_id)).toEqual([mine[0]]);
      const second = await agentsPage(`&cursor=${first.next_cursor}`);
      expect({ pcs: second.items.map((a) => a.pc_id), next: second.next_cursor }).toEqual({ pcs: [mine[1]], next: null });
      expect(await pcsOf("/api/results?limit=100")).toEqual(mine);
      expect(await pcsOf("/api/inventory?app=7-Zip")).toEqual(mine);
      expect(await pcsOf("/api/perf/fleet")).toEqual(mine);
      expect(await pcsOf("/api/events?kind=agent_started")).toEqual(mine);
      expect(((await as(m, "GET", "/api/perf/fleet")).body as { total: number }).total).toBe(2);
      // Pages are read from the caller's PCs, so a short page is full of its rows, however many others are newer.
      expect((await pcsOf("/api/results?limit=2")).length).toBeGreaterThan(0);
      const page = ((await as(m, "GET", "/api/results?limit=2")).body as ListResponse<ResultRecord>).items;
      expect(page).toHaveLength(2);
      expect(page.every((r) => mine.includes(r.pc_id))).toBe(true);
      expect(((await as(m, "GET", "/api/events?limit=1")).body as ListResponse<{ pc_id: string }>).items.map((e) => mine.includes(e.pc_id))).toEqual([true]);
      expect(((await as(m, "GET", "/api/executions?limit=1")).body as ListResponse<{ exec_id: string }>).items.map((e) => e.exec_id)).toEqual([own.get(m)!.execId]);
      // Its own execution is listed; the admin's whole-fleet one (which also reached other PCs) is not.
      const execs = ((await as(m, "GET", "/api/executions?limit=100")).body as ListResponse<{ exec_id: string }>).items.map((e) => e.exec_id);
      expect(execs).toEqual([own.get(m)!.execId]);
      const fleetWide = await as(m, "GET", `/api/executions/${fleetExecId}`);
      expect((fleetWide.body as ErrBody).error.code).toBe("OUT_OF_SCOPE");
      const results = ((await as(m, "GET", `/api/results?exec_id=${fleetExecId}`)).body as ListResponse<ResultRecord>).items;
      expect(results.map((r) => r.pc_id).sort()).toEqual(mine);
      expect(((await as(m, "GET", "/api/groups")).body as ListResponse<{ name: string }>).items.map((g) => g.name)).toEqual([TEAMS[m].group]);
      const audit = ((await as(m, "GET", "/api/audit?limit=500")).body as ListResponse<AuditRecord>).items;
      expect(audit.some((a) => a.actor === m && a.action === "exec.create")).toBe(true);
      expect(audit.some((a) => a.target === TEAMS[m].pcs[0] && a.actor === "static-token")).toBe(true);
      expect(audit.some((a) => a.actor === other(m))).toBe(false);
      const auditPage = ((await as(m, "GET", "/api/audit?limit=3")).body as ListResponse<AuditRecord>).items;
      expect(auditPage).toHaveLength(3);
      const about = new Set<string>([...mine, TEAMS[m].group, own.get(m)!.execId]);
      expect(auditPage.filter((a) => a.actor !== m && !about.has(a.target))).toEqual([]);
      for (const q of ["/api/results?pc_id=", "/api/events?pc=", `/api/executions/${own.get(m)!.execId}/tail?pc=`]) {
        const r = await as(m, "GET", `${q}${TEAMS[other(m)].pcs[0]}`);
        expect((r.body as ErrBody).error?.code, q).toBe("OUT_OF_SCOPE");
      }
      const me = (await as(m, "GET", "/api/auth/me")).body as Identity;
      expect(me.scope).toEqual({ perm_groups: [TEAMS[m].perm], pc_groups: [TEAMS[m].group], capabilities: [...ALL_CAPS].sort() });
    }
    // An account in no permission group keeps the whole fleet.
    const olga = ((await as("olga", "GET", "/api/agents")).body as ListResponse<{ pc_id: string }>).items.map((a) => a.pc_id).sort();
    expect(olga).toEqual([...ALL_PCS].sort());
    expect(((await as("olga", "GET", "/api/auth/me")).body as Identity).scope).toBeUndefined();
  });

  it("narrows an exec at all to the caller's PCs and says so; PCs or groups outside the scope are refused by name", async () => {
    const all = await as("ann", "POST", "/api/exec/hello", { all: true });
    expect(all.status).toBe(202);
    expect(all.body).toMatchObject({ target_count: 2, scoped_to: [TEAMS.ann.perm] });
    const view = (await as("ann", "GET", `/api/executions/${(all.body as ExecResponse).exec_id}`)).body as ExecutionView;
    expect(view.target).toEqual({ groups: [TEAMS.ann.group] });
    expect(view.rows?.map((r) => r.pc_id).sort()).toEqual([...TEAMS.ann.pcs].sort());
    const preview = await as("ann", "POST", "/api/exec/hello/preview", { all: true });
    expect(preview.body).toMatchObject({ target_count: 2 });

    const foreignPc = await as("ann", "POST", "/api/exec/hello", { pcs: [TEAMS.ann.pcs[0], "pc-bravo-one"] });
    expect(foreignPc.status).toBe(403);
    expect((foreignPc.body as ErrBody).error).toMatchObject({ code: "OUT_OF_SCOPE" });
    expect((foreignPc.body as ErrBody).error.message).toContain('"pc-bravo-one"');
    const foreignGroup = await as("ann", "POST", "/api/run", { pcs: [], groups: ["grp-bravo"], shell: "sh", script: "echo hi" });
    expect(foreignGroup.status).toBe(403);
    expect((foreignGroup.body as ErrBody).error.message).toContain('"grp-bravo"');
    const lone = await as("bob", "POST", "/api/exec/hello/preview", { pcs: [LONE_PC] });
    expect(lone.status).toBe(403);
    expect((lone.body as ErrBody).error.message).toContain(LONE_PC);
  });

  it("gates actions by capability: a read-only permission group reads its PCs and can change nothing", async () => {
    expect((await admin("PUT", "/api/perm-groups/alpha-readers", { pc_groups: [TEAMS.ann.group], capabilities: [] })).status).toBe(201);
    await makeAccount("cara", "operator", ["alpha-readers"]);
    expect(((await as("cara", "GET", "/api/agents")).body as ListResponse<{ pc_id: string }>).items.map((a) => a.pc_id).sort()).toEqual([...TEAMS.ann.pcs].sort());
    for (const [method, path, body, cap] of [
      ["POST", "/api/exec/hello", { pcs: [TEAMS.ann.pcs[0]] }, "exec"],
      ["POST", `/api/executions/${own.get("ann")!.execId}/kill`, undefined, "kill"],
      ["POST", `/api/agents/${TEAMS.ann.pcs[0]}/ping`, undefined, "agents"],
      ["PATCH", `/api/agents/${TEAMS.ann.pcs[0]}/config`, { log_level: "debug" }, "config"],
      ["DELETE", "/api/jobs/hello", undefined, "jobs"],
    ] as const) {
      const r = await as("cara", method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect((r.body as ErrBody).error, `${method} ${path}`).toMatchObject({ code: "OUT_OF_SCOPE" });
      expect((r.body as ErrBody).error.message).toContain(`the ${cap} capability`);
    }
    // A scoped viewer is still a viewer: the role is checked first.
    expect((await admin("PUT", "/api/perm-groups/alpha-readers", { pc_groups: [TEAMS.ann.group], capabilities: ["exec"] })).status).toBe(200);
    await makeAccount("vic", "viewer", ["alpha-readers"]);
    const v = await as("vic", "POST", "/api/exec/hello", { pcs: [TEAMS.ann.pcs[0]] });
    expect((v.body as ErrBody).error.code).toBe("FORBIDDEN");
  });

  it("streams live fleet perf of the caller's PCs only, and refuses another PC's live perf", async () => {
    const wsUrl = env().backend.url.replace(/^http/, "ws");
    const ws = new WebSocket(`${wsUrl}/api/perf/fleet/live`, [], { headers: { authorization: `Bearer ${tokens.get("ann")}` } });
    const frames: PerfFrame[] = [];
    ws.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString("utf8")) as PerfFrame));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    try {
      // Bravo's sample goes first: by the time alpha's arrives, bravo's would have too, had it been sent.
      env().nc.publish(subjects.hostPerf("pc-bravo-one"), JSON.stringify(sampleHostPerf("pc-bravo-one", 91)));
      env().nc.publish(subjects.hostPerf(TEAMS.ann.pcs[0]), JSON.stringify(sampleHostPerf(TEAMS.ann.pcs[0], 77)));
      await waitFor(() => frames.some((f) => f.type === "host_perf" && f.data.pc_id === TEAMS.ann.pcs[0] && f.data.cpu_pct === 77) || undefined, { what: "alpha's live sample" });
      const seen = new Set(frames.flatMap((f) => (f.type === "host_perf" ? [f.data.pc_id] : [])));
      expect([...seen].sort()).toEqual([...TEAMS.ann.pcs].sort());
    } finally {
      ws.close();
    }
    const refused = await new Promise<number>((resolve, reject) => {
      const bad = new WebSocket(`${wsUrl}/api/agents/pc-bravo-one/perf/live`, [], { headers: { authorization: `Bearer ${tokens.get("ann")}` } });
      bad.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      bad.once("open", () => reject(new Error("a live perf socket on another team's PC opened")));
      bad.once("error", () => undefined);
    });
    expect(refused).toBe(403);
  });

  it("lets only a member of the job's approver group approve, and refuses jobs naming no such group", async () => {
    const r = await as("ann", "POST", "/api/exec/guarded", { pcs: [TEAMS.ann.pcs[0]] });
    expect(r.body).toMatchObject({ state: "pending_approval" });
    const execId = (r.body as ExecResponse).exec_id;
    for (const who of ["olga", "bob"]) {
      const d = await as(who, "POST", `/api/executions/${execId}/approve`, {});
      expect(d.status, who).toBe(403);
    }
    const olga = await as("olga", "POST", `/api/executions/${execId}/approve`, {});
    expect((olga.body as ErrBody).error).toMatchObject({ code: "FORBIDDEN" });
    expect((olga.body as ErrBody).error.message).toContain('permission group "security"');
    const ok = await as("sec", "POST", `/api/executions/${execId}/approve`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ state: "running", decided_by: "sec" });

    // Dropping the approver group loosens who may approve: an operator may not, an admin may (audited as such).
    const looser = GUARDED_YAML.replace("version: 1.0.0", "version: 1.0.1").replace("approval:\n  approver_group: security\n", "");
    const dropped = await as("olga", "POST", "/api/jobs", looser);
    expect(dropped.status).toBe(403);
    expect((dropped.body as ErrBody).error.message).toContain("Weakening approval.approver_group");

    const unknown = await admin("POST", "/api/jobs", GUARDED_YAML.replace("approver_group: security", "approver_group: nobody-here"));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: "INVALID_MANIFEST", details: [{ path: "approval.approver_group" }] } });
    const noApproval = await admin("POST", "/api/jobs", GUARDED_YAML.replace("require_approval: true\n", ""));
    expect(noApproval.status).toBe(400);
    expect(JSON.stringify(noApproval.body)).toContain("needs require_approval: true");
  });

  it("lets admins manage permission groups, audited with before and after; a group with accounts cannot be deleted", async () => {
    const list = ((await admin("GET", "/api/perm-groups")).body as ListResponse<PermGroup>).items;
    expect(list.find((g) => g.name === TEAMS.ann.perm)).toMatchObject({ pc_groups: [TEAMS.ann.group], members: ["ann"] });
    const busy = await admin("DELETE", `/api/perm-groups/${TEAMS.ann.perm}`);
    expect(busy.status).toBe(409);
    expect((busy.body as ErrBody).error.message).toContain("ann");
    expect((await admin("PUT", "/api/accounts/root/perm-groups", { perm_groups: ["security"] })).status).toBe(409);
    const unknown = await admin("PUT", "/api/accounts/ann/perm-groups", { perm_groups: ["nope"] });
    expect(unknown.status).toBe(400);
    expect((await as("ann", "GET", "/api/perm-groups")).status).toBe(403);
    const bad = await admin("PUT", "/api/perm-groups/empty", { pc_groups: [], capabilities: ["exec"] });
    expect(bad.status).toBe(400);
    const badCap = await admin("PUT", "/api/perm-groups/x", { pc_groups: ["g"], capabilities: ["fly"] });
    expect(badCap.status).toBe(400);

    expect((await admin("PUT", "/api/perm-groups/temp", { pc_groups: ["g1"], capabilities: ["exec"] })).status).toBe(201);
    expect((await admin("PUT", "/api/perm-groups/temp", { pc_groups: ["g2"], capabilities: [] })).status).toBe(200);
    expect((await admin("DELETE", "/api/perm-groups/temp")).status).toBe(200);
    expect((await admin("GET", "/api/perm-groups/temp")).status).toBe(404);
    const rows = await waitFor(async () => {
      const items = ((await admin("GET", "/api/audit?limit=500&target=temp")).body as ListResponse<AuditRecord>).items;
      return items.length === 3 ? items : undefined;
    }, { what: "three audit rows for perm group temp" });
    const byAction = new Map(rows.map((r) => [r.action, r.payload_summary]));
    expect(byAction.get("perm_group.create")).toMatchObject({ before: null, after: { pc_groups: ["g1"], capabilities: ["exec"] } });
    expect(byAction.get("perm_group.update")).toMatchObject({ before: { pc_groups: ["g1"] }, after: { pc_groups: ["g2"], capabilities: [] } });
    expect(byAction.get("perm_group.delete")).toMatchObject({ before: { pc_groups: ["g2"] }, after: null });

    // A deleted account leaves no membership rows behind.
    await makeAccount("gone", "operator", ["security"]);
    const db = openDatabase(dbTarget(env().backend.dbUrl));
    try {
      const id = db.prepare("SELECT account_id FROM accounts WHERE username = 'gone'").pluck().get() as string;
      const rows = () => db.prepare("SELECT COUNT(*) FROM account_perm_groups WHERE account_id = ?").pluck().get(id) as number;
      expect(rows()).toBe(1);
      expect((await admin("DELETE", "/api/accounts/gone")).status).toBe(200);
      expect(rows()).toBe(0);
    } finally {
      db.close();
    }

    // Out of every group: whole-fleet rights again (audited).
    expect((await admin("PUT", "/api/accounts/cara/perm-groups", { perm_groups: [] })).body).toEqual({ username: "cara", perm_groups: [] });
    expect(((await as("cara", "GET", "/api/agents")).body as ListResponse<unknown>).items).toHaveLength(5);
    const moved = await waitFor(async () => {
      const items = ((await admin("GET", "/api/audit?limit=50&target=cara&action=account.perm_groups")).body as ListResponse<AuditRecord>).items;
      return items.find((i) => (i.payload_summary.after as string[]).length === 0);
    }, { what: "audit row for cara's groups" });
    expect(moved.payload_summary).toMatchObject({ before: ["alpha-readers"], after: [] });
  });
});
