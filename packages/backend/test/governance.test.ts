/**
 * Governance against a real backend, nats-server and SQLite: the role matrix over every registered route,
 * audit rows for every mutation, login rules, the bootstrap admin, and approvals.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { STREAMS, auditEventSchema, roleAtLeast, subjects, type AuditRecord, type LoginResponse, type Role } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { openAuditLogStore } from "../src/audit/log-store.js";
import { accessFor } from "../src/governance/policy.js";
import { HELLO_YAML, dbTarget, useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string } };
const PASSWORD = "correct horse battery";
const APPROVAL_YAML = HELLO_YAML.replace("id: hello", "id: guarded").replace("description: Say hello", "description: Guarded\nrequire_approval: true");

/** Concrete values for route parameters: names that exist nowhere, so mutations touch nothing real. */
const PLACEHOLDERS: Record<string, string> = {
  job_id: "no-such-job",
  id: "no-such-job",
  exec_id: "01890000-0000-7000-8000-000000000000",
  result_id: "01890000-0000-7000-8000-000000000000",
  pc: "no-such-pc",
  g: "no-such-group",
  username: "no-such-user",
  name: "no-such-name",
  version: "0.0.0",
};
const fill = (url: string): string =>
  url.replace(/:([A-Za-z_]+)/g, (_m, p: string) => PLACEHOLDERS[p] ?? "x").replace(/\*$/, "no-such-file");

describe("governance", () => {
  const env = useBackendEnv({ bootstrapAdmin: { username: "root", password: "first-password" } });
  let jsm: JetStreamManager;
  const tokens = new Map<string, string>();

  const as = async (who: string | undefined, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = who ? { authorization: `Bearer ${tokens.get(who) ?? who}` } : {};
    const res = await fetch(`${env().backend.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      parsed = undefined; // Prometheus text, YAML
    }
    return { status: res.status, body: parsed, text };
  };
  const login = async (username: string, password = PASSWORD) => as(undefined, "POST", "/api/auth/login", { username, password });
  const ROLE_ACCOUNTS = { viewer: "vera", operator: "otto", admin: "ada" } as const;
  const relogin = async (role: keyof typeof ROLE_ACCOUNTS): Promise<void> => {
    const token = ((await login(ROLE_ACCOUNTS[role])).body as LoginResponse).token;
    tokens.set(role, token);
    if (role === "operator") tokens.set("otto", token);
  };
  const auditRows = async (q: string): Promise<AuditRecord[]> =>
    ((await env().backend.api("GET", `/api/audit?limit=500&${q}`)).body as { items: AuditRecord[] }).items;

  beforeAll(async () => {
    jsm = await jetstreamManager(env().nc);
    for (const [username, role] of [["vera", "viewer"], ["otto", "operator"], ["olga", "operator"], ["ada", "admin"]] as const) {
      expect((await env().backend.api("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
      const r = await login(username);
      expect(r.status).toBe(200);
      tokens.set(role === "operator" ? username : role, (r.body as LoginResponse).token);
    }
    tokens.set("operator", tokens.get("otto")!);
    expect((await env().backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
    expect((await env().backend.api("POST", "/api/jobs", APPROVAL_YAML)).status).toBe(201);
  });

  it("applies the policy to every registered route for every role, and audits every mutation that succeeded", async () => {
    const routes = env().backend.routes.filter((r) => accessFor(r.method, r.url) !== "public");
    expect(routes.length).toBeGreaterThan(20);
    const mutations: { actor: string; route: string }[] = [];
    for (const route of routes) {
      const need = accessFor(route.method, route.url) as Role;
      const path = fill(route.url);
      const body = ["GET", "HEAD", "DELETE"].includes(route.method) ? undefined : {};
      const anon = await as(undefined, route.method, path, body);
      expect(anon.status, `${route.method} ${route.url} without a token`).toBe(401);
      for (const role of ["viewer", "operator", "admin"] as const) {
        const r = await as(role, route.method, path, body);
        const what = `${route.method} ${route.url} as ${role} (needs ${need})`;
        // Logging out ends that role's session: log in again so the rest of the matrix has a token.
        if (route.url === "/api/auth/logout") await relogin(role);
        if (roleAtLeast(role, need)) {
          expect([401, 403], what).not.toContain(r.status);
          if (r.status < 300 && !["GET", "HEAD"].includes(route.method)) mutations.push({ actor: role === "operator" ? "otto" : role === "admin" ? "ada" : "vera", route: what });
        } else {
          expect(r.status, what).toBe(403);
          if (route.method !== "HEAD") {
            expect((r.body as ErrBody).error.code, what).toBe("FORBIDDEN");
            expect((r.body as ErrBody).error.message, what).toContain(`needs the ${need} role`);
          }
        }
      }
    }
    for (const m of mutations) {
      await waitFor(async () => (await auditRows(`actor=${m.actor}`)).length > 0 || undefined, { timeoutMs: 10_000, what: `audit row for ${m.route}` });
    }
  });

  it("writes an audit row with actor, action, target and source IP for each kind of mutation", async () => {
    const ops: [string, string, string, unknown?][] = [
      ["otto", "POST", "/api/agents/pc-a/groups", { groups: ["lab"] }],
      ["otto", "DELETE", "/api/agents/pc-a/groups/lab"],
      ["otto", "POST", "/api/jobs/hello/revoke"],
      ["otto", "POST", "/api/jobs/hello/unrevoke"],
      ["otto", "POST", "/api/exec/hello", { pcs: ["pc-a"] }],
      ["admin", "POST", "/api/accounts", { username: "temp", password: PASSWORD, role: "viewer" }],
      ["admin", "PATCH", "/api/accounts/temp", { role: "operator" }],
      ["admin", "DELETE", "/api/accounts/temp"],
    ];
    for (const [who, method, path, body] of ops) expect((await as(who, method, path, body)).status, `${method} ${path}`).toBeLessThan(300);
    const expected = ["agent.groups.add", "agent.groups.remove", "script.revoke", "script.unrevoke", "exec.create", "account.create", "account.update", "account.delete"];
    const rows = await waitFor(async () => {
      const all = [...(await auditRows("actor=otto")), ...(await auditRows("actor=ada"))];
      return expected.every((a) => all.some((r) => r.action === a)) ? all : undefined;
    }, { timeoutMs: 10_000, what: "audit rows for every mutation" });
    const exec = rows.find((r) => r.action === "exec.create")!;
    expect(exec).toMatchObject({ actor: "otto", target: "hello", source_ip: "127.0.0.1" });
    expect(exec.payload_summary).toMatchObject({ target: { pcs: ["pc-a"] } });
    expect((await auditRows("action=account.*&target=temp")).map((r) => r.action).sort()).toEqual(["account.create", "account.delete", "account.update"]);
    const futureOnly = await auditRows(`since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(futureOnly).toEqual([]);
  });

  it("projects the audit stream idempotently: replaying it yields the same rows", async () => {
    const before = await auditRows("");
    // Replay every event in AUDIT through the projector's own insert, against the same database file.
    const db = openDatabase(dbTarget(env().backend.dbUrl));
    try {
      const store = openAuditLogStore(db);
      const consumer = await jetstream(env().nc).consumers.get(STREAMS.AUDIT);
      const info = await jsm.streams.info(STREAMS.AUDIT);
      const events: AuditRecord[] = [];
      const iter = await consumer.fetch({ max_messages: info.state.messages, expires: 5_000 });
      for await (const m of iter) {
        events.push(auditEventSchema.parse(m.json()));
        if (events.length === info.state.messages) break;
      }
      expect(events.length).toBe(info.state.messages);
      expect(await store.insertAudit(events)).toBe(0);
    } finally {
      db.close();
    }
    expect((await auditRows("")).map((r) => r.id)).toEqual(before.map((r) => r.id));
  });

  it("refuses wrong passwords with one message, audits them, and rate-limits per user", async () => {
    const bad = await login("vera", "wrong password");
    expect(bad.status).toBe(401);
    const unknown = await login("nobody-here", "wrong password");
    expect((unknown.body as ErrBody).error.message).toBe((bad.body as ErrBody).error.message);
    for (let i = 0; i < 4; i++) await login("vera", "wrong password");
    const limited = await login("vera", PASSWORD);
    expect(limited.status).toBe(429);
    expect((limited.body as ErrBody).error.code).toBe("RATE_LIMITED");
    expect((limited.body as ErrBody).error.message).toMatch(/try again in \d+s/);
    const rows = await waitFor(async () => {
      const r = await auditRows("action=auth.login_failed&target=vera");
      return r.length >= 5 ? r : undefined;
    }, { timeoutMs: 10_000, what: "login failures audited" });
    expect(rows[0]).toMatchObject({ actor: "vera", payload_summary: { reason: "bad_password" } });
  });

  it("makes the bootstrap admin change its password before anything else", async () => {
    const first = await login("root", "first-password");
    expect(first.status).toBe(200);
    expect((first.body as LoginResponse).must_change_password).toBe(true);
    const token = (first.body as LoginResponse).token;
    const jobs = await as(token, "GET", "/api/jobs");
    expect(jobs.status).toBe(403);
    expect((jobs.body as ErrBody).error.code).toBe("PASSWORD_CHANGE_REQUIRED");
    expect((await as(token, "GET", "/api/auth/me")).body).toMatchObject({ actor: "root", role: "admin", must_change_password: true });
    const changed = await as(token, "POST", "/api/auth/password", { current_password: "first-password", new_password: "second-password" });
    expect(changed.status).toBe(200);
    expect((await as((changed.body as LoginResponse).token, "GET", "/api/accounts")).status).toBe(200);
  });

  it("a disabled account loses its session at once", async () => {
    expect((await as("admin", "POST", "/api/accounts", { username: "shortlived", password: PASSWORD, role: "viewer" })).status).toBe(201);
    const token = ((await login("shortlived")).body as LoginResponse).token;
    expect((await as(token, "GET", "/api/jobs")).status).toBe(200);
    expect((await as("admin", "PATCH", "/api/accounts/shortlived", { disabled: true })).status).toBe(200);
    expect((await as(token, "GET", "/api/jobs")).status).toBe(401);
    expect((await login("shortlived")).status).toBe(401);
  });

  describe("approvals", () => {
    const commandsOn = async (pc: string): Promise<number> => {
      const info = await jsm.streams.info(STREAMS.EXEC, { subjects_filter: subjects.commandsPc(pc) });
      return info.state.subjects?.[subjects.commandsPc(pc)] ?? 0;
    };

    it("holds the exec as pending_approval, publishes nothing, and refuses self-approval", async () => {
      const r = await as("otto", "POST", "/api/exec/guarded", { pcs: ["pc-appr-1"] });
      expect(r.status).toBe(202);
      const { exec_id, state } = r.body as { exec_id: string; state: string };
      expect(state).toBe("pending_approval");
      expect(await commandsOn("pc-appr-1")).toBe(0);
      const pending = (await as("viewer", "GET", "/api/executions?state=pending_approval")).body as { items: { exec_id: string }[] };
      expect(pending.items.map((e) => e.exec_id)).toContain(exec_id);

      const self = await as("otto", "POST", `/api/executions/${exec_id}/approve`);
      expect(self.status).toBe(403);
      expect((self.body as ErrBody).error.message).toMatch(/different operator/);
      expect((await as("viewer", "POST", `/api/executions/${exec_id}/approve`)).status).toBe(403);
      expect(await commandsOn("pc-appr-1")).toBe(0);
    });

    it("publishes exactly once when two operators approve at the same moment", async () => {
      const { exec_id } = (await as("otto", "POST", "/api/exec/guarded", { pcs: ["pc-appr-2"] })).body as { exec_id: string };
      const [a, b] = await Promise.all([
        as("olga", "POST", `/api/executions/${exec_id}/approve`),
        as("admin", "POST", `/api/executions/${exec_id}/approve`),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect(await commandsOn("pc-appr-2")).toBe(1);
      const detail = (await as("viewer", "GET", `/api/executions/${exec_id}`)).body as { state: string };
      expect(detail.state).toBe("running");
      const again = await as("olga", "POST", `/api/executions/${exec_id}/approve`);
      expect(again.status).toBe(409);
      expect((again.body as ErrBody).error.message).toMatch(/already approved/);
      const audited = await waitFor(async () => {
        const rows = await auditRows(`action=exec.approve&target=${exec_id}`);
        return rows.length ? rows : undefined;
      }, { timeoutMs: 10_000, what: "approval audited" });
      expect(audited).toHaveLength(1);
    });

    it("a rejected exec never publishes and cannot be approved later", async () => {
      const { exec_id } = (await as("otto", "POST", "/api/exec/guarded", { pcs: ["pc-appr-3"] })).body as { exec_id: string };
      expect((await as("olga", "POST", `/api/executions/${exec_id}/reject`)).status).toBe(200);
      expect((await as("admin", "POST", `/api/executions/${exec_id}/approve`)).status).toBe(409);
      expect(await commandsOn("pc-appr-3")).toBe(0);
      expect(((await as("viewer", "GET", `/api/executions/${exec_id}`)).body as { state: string }).state).toBe("rejected");
    });

    it("a kill while the exec waits for approval cancels it: a later approval cannot start it", async () => {
      const { exec_id } = (await as("otto", "POST", "/api/exec/guarded", { pcs: ["pc-appr-4"] })).body as { exec_id: string };
      expect((await as("otto", "POST", `/api/executions/${exec_id}/kill`)).status).toBe(202);
      const approve = await as("olga", "POST", `/api/executions/${exec_id}/approve`);
      expect(approve.status).toBe(409);
      expect((approve.body as ErrBody).error.message).toMatch(/rejected/);
      expect(await commandsOn("pc-appr-4")).toBe(0);
      expect(((await as("viewer", "GET", `/api/executions/${exec_id}`)).body as { state: string }).state).toBe("rejected");
    });
  });
});
