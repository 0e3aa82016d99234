/**
 * An approval binds the exact content the approver saw: a job changed after the request cannot run under
 * the approval, a version never carries two contents, and weakening require_approval needs an admin.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { STREAMS, commandSchema, subjects, type AuditRecord, type ExecutionDetail, type LoginResponse } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { useBackendEnv } from "./helpers.js";

type ErrBody = { error: { code: string; message: string; details?: { path: string }[] } };
const PASSWORD = "correct horse battery";

const guarded = (version: string, script: string, requireApproval = true): string =>
  `id: guarded-job\nversion: ${version}\nexecute:\n  shell: sh\n  script: ${script}\n  timeout: 30s\nrequire_approval: ${requireApproval}\n`;

describe("approvals bind content", () => {
  const env = useBackendEnv();
  const tokens = new Map<string, string>();
  let jsm: JetStreamManager;

  const as = async <T = unknown>(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${env().backend.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.get(who)}`,
        ...(body === undefined ? {} : { "content-type": typeof body === "string" ? "application/yaml" : "application/json" }),
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const detail = async (execId: string): Promise<ExecutionDetail> => (await as<ExecutionDetail>("otto", "GET", `/api/executions/${execId}`)).body;
  const fire = async (pc: string): Promise<string> => {
    const r = await as<{ exec_id: string; state: string }>("otto", "POST", "/api/exec/guarded-job", { pcs: [pc] });
    expect(r).toMatchObject({ status: 202, body: { state: "pending_approval" } });
    return r.body.exec_id;
  };
  const lastCommandOn = async (pc: string) => {
    const m = await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsPc(pc) });
    return m ? commandSchema.parse(m.json()) : undefined;
  };

  beforeAll(async () => {
    jsm = await jetstreamManager(env().nc);
    for (const [username, role] of [["otto", "operator"], ["olga", "operator"], ["ada", "admin"]] as const) {
      expect((await env().backend.api("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
      const login = await fetch(`${env().backend.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      tokens.set(username, ((await login.json()) as LoginResponse).token);
    }
    expect((await as("otto", "POST", "/api/jobs", guarded("1.0.0", "echo approved-content"))).status).toBe(201);
  });

  it("shows the approver the digest and the script, and refuses a second content for the same version", async () => {
    const execId = await fire("pc-bait");
    const d = await detail(execId);
    expect(d.manifest_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(d.approval).toMatchObject({ requested_by: "otto", manifest_digest: d.manifest_digest, decision: null });
    expect(d.approval?.manifest?.execute.script).toBe("echo approved-content");

    // Bait-and-switch: the same id and version with another script is refused, naming the version.
    const swap = await as<ErrBody>("otto", "POST", "/api/jobs", guarded("1.0.0", "echo evil"));
    expect(swap.status).toBe(409);
    expect(swap.body.error.details?.map((x) => x.path)).toEqual(["version"]);
    // The very same content again is a harmless replace.
    expect((await as("otto", "POST", "/api/jobs", guarded("1.0.0", "echo approved-content"))).status).toBe(200);
    expect((await as<{ manifest: { execute: { script: string } } }>("otto", "GET", "/api/jobs/guarded-job")).body.manifest.execute.script).toBe(
      "echo approved-content",
    );
  });

  it("a job changed after the request cannot run under the approval: the execution ends rejected, saying why", async () => {
    const execId = await fire("pc-switch");
    // A new version with another script (still requiring approval) replaces the job.
    expect((await as("otto", "POST", "/api/jobs", guarded("1.0.1", "echo switched"))).status).toBe(200);
    const approve = await as<ErrBody>("olga", "POST", `/api/executions/${execId}/approve`, {});
    expect(approve.status).toBe(409);
    expect(approve.body.error.message).toMatch(/changed after it was requested/);
    const d = await detail(execId);
    expect(d.state).toBe("rejected");
    expect(d.state_reason).toMatch(/changed after it was requested/);
    expect(await lastCommandOn("pc-switch")).toBeUndefined();
    await waitFor(async () => {
      const rows = (await as<{ items: AuditRecord[] }>("olga", "GET", `/api/audit?action=exec.reject&target=${execId}`)).body.items;
      return rows.some((r) => r.payload_summary.job_changed === true);
    }, { what: "the audited rejection" });
  });

  it("an approval names the digest the approver saw, and runs exactly that content", async () => {
    const execId = await fire("pc-good");
    const d = await detail(execId);
    const wrong = await as<ErrBody>("olga", "POST", `/api/executions/${execId}/approve`, { manifest_digest: "0".repeat(64) });
    expect(wrong.status).toBe(409);
    expect((await detail(execId)).state).toBe("pending_approval");
    const ok = await as("olga", "POST", `/api/executions/${execId}/approve`, { manifest_digest: d.manifest_digest!.slice(0, 12) });
    expect(ok).toMatchObject({ status: 200, body: { state: "running", decided_by: "olga" } });
    expect(await lastCommandOn("pc-good")).toMatchObject({ exec_id: execId, version: "1.0.1", script: "echo switched" });
  });

  it("dropping require_approval needs an admin, is audited with before and after, and a pending exec keeps its rule", async () => {
    const pending = await fire("pc-keep");
    const downgrade = guarded("1.1.0", "echo switched", false);
    const refused = await as<ErrBody>("otto", "POST", "/api/jobs", downgrade);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details?.map((x) => x.path)).toEqual(["require_approval"]);
    expect((await as<{ version: string }>("otto", "GET", "/api/jobs/guarded-job")).body.version).toBe("1.0.1");

    expect((await as("ada", "POST", "/api/jobs", downgrade)).status).toBe(200);
    await waitFor(async () => {
      const rows = (await as<{ items: AuditRecord[] }>("ada", "GET", "/api/audit?action=job.*&target=guarded-job&actor=ada")).body.items;
      return rows.some((r) => JSON.stringify(r.payload_summary.governance_weakened) === JSON.stringify([{ field: "require_approval", before: true, after: false }]));
    }, { what: "the audited downgrade" });

    // The execution filed under the approval rule did not start, and cannot start under the new content.
    expect((await detail(pending)).state).toBe("pending_approval");
    expect((await as("olga", "POST", `/api/executions/${pending}/approve`, {})).status).toBe(409);
    expect((await detail(pending)).state).toBe("rejected");
    expect(await lastCommandOn("pc-keep")).toBeUndefined();
  });
});
