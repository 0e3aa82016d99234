/**
 * Enrollment against a locked-down broker: an agent makes its own key pair, asks to join with the
 * enrollment credential, and gets in only once an operator (or an enrollment token) accepts it. A second
 * key for an enrolled pc_id waits as a conflict; a revoked agent is cut off and stays off until accepted again.
 */
import { readFileSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import type { AuditRecord, EnrollmentView, EnrollTokenCreated, ExecutionDetail, ListResponse } from "@kanade/protocol";
import { authenticatorFor, startLockedNatsServer, startTestBackend, startTestFleet, waitFor, type LockedNats, type TestBackend, type TestFleet } from "@kanade/testkit";
import type { RunningAgent } from "../src/index.js";

describe("enrollment", () => {
  let broker: LockedNats;
  let backend: TestBackend;
  let fleet: TestFleet;
  const enroll = (): { enrollCreds: { jwt: string; seed: string }; enrollPollMs: number; commandKeys: [] } => ({ enrollCreds: broker.enrollCreds, enrollPollMs: 200, commandKeys: [] });

  beforeAll(async () => {
    broker = await startLockedNatsServer();
    backend = await startTestBackend(broker.url, { natsAuthDir: broker.authDir });
    fleet = await startTestFleet(broker.url, []);
    const job = { id: "hi", version: "1.0.0", execute: { shell: "sh", script: 'echo "hi from $KANADE_PC_ID"', timeout: "30s" } };
    expect((await backend.api("POST", "/api/jobs", job)).status).toBe(201);
  });
  afterAll(async () => {
    await fleet?.close();
    await backend?.close();
    await broker?.dispose();
  });

  const attention = async (): Promise<EnrollmentView[]> => (await backend.api<ListResponse<EnrollmentView>>("GET", "/api/enrollments?state=attention")).body.items;
  const runsOn = async (pc: string): Promise<void> => {
    const r = await backend.api<{ exec_id: string }>("POST", "/api/exec/hi", { pcs: [pc] });
    expect(r.status).toBe(202);
    await waitFor(async () => (await backend.api<ExecutionDetail>("GET", `/api/executions/${r.body.exec_id}`)).body.counts.succeeded === 1, { what: `hi on ${pc}` });
  };
  const credentialOf = (pc: string): { jwt: string; seed: string } => ({
    jwt: readFileSync(fleet.dataDir.join(pc, "state", "agent.jwt"), "utf8").trim(),
    seed: readFileSync(fleet.dataDir.join(pc, "state", "agent.nk"), "utf8").trim(),
  });

  it("waits for an operator, then runs signed commands with its own credential and pinned keys", async () => {
    let started: RunningAgent | undefined;
    const starting = fleet.start("enr-1", enroll()).then((a) => (started = a));
    const req = await waitFor(async () => (await attention()).find((e) => e.pc_id === "enr-1"), { what: "enr-1 pending" });
    expect(req).toMatchObject({ state: "pending", conflict: null });
    expect(req.public_key).toMatch(/^U[A-Z2-7]{55}$/);
    await new Promise((r) => setTimeout(r, 600));
    expect(started).toBeUndefined();
    // The private key stays on the PC, readable by the agent alone.
    expect(statSync(fleet.dataDir.join("enr-1", "state", "agent.nk")).mode & 0o777).toBe(0o600);

    const accepted = await backend.api<ListResponse<EnrollmentView>>("POST", "/api/enrollments/accept", { pcs: ["enr-1"] });
    expect(accepted.status).toBe(200);
    expect(accepted.body.items[0]).toMatchObject({ pc_id: "enr-1", state: "accepted", decided_by: "static-token" });
    await starting;
    // It trusts no configured key here: it pinned the ones enrollment gave it.
    await runsOn("enr-1");
    const audit = (await backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?limit=100")).body.items.map((a) => `${a.action} ${a.target}`);
    expect(audit).toEqual(expect.arrayContaining(["agent.enroll_request enr-1", "agent.accept enr-1"]));
  });

  it("accepts at once with an enrollment token, adds the group, and counts the token's uses", async () => {
    const t = await backend.api<EnrollTokenCreated>("POST", "/api/enroll-tokens", { group: "lab", uses: 1, expires: "1h" });
    expect(t.status).toBe(201);
    expect(t.body.token).toMatch(/^kanade-enroll-/);
    await fleet.start("enr-tok-1", { ...enroll(), enrollToken: t.body.token });
    expect((await backend.api<{ groups: string[] }>("GET", "/api/agents/enr-tok-1/groups")).body.groups).toEqual(["lab"]);
    await runsOn("enr-tok-1");
    // Used up: the next PC with the same token waits for an operator.
    void fleet.start("enr-tok-2", { ...enroll(), enrollToken: t.body.token }).catch(() => undefined);
    expect(await waitFor(async () => (await attention()).find((e) => e.pc_id === "enr-tok-2"), { what: "enr-tok-2 pending" })).toMatchObject({ state: "pending" });
    expect((await backend.api<ListResponse<unknown>>("GET", "/api/enroll-tokens")).body.items).toHaveLength(0);
    expect((await backend.api("POST", "/api/enroll-tokens", { uses: 0 })).status).toBe(400);
  });

  it("never hands an enrolled pc_id to another key by itself: the request waits as a conflict", async () => {
    const enrolled = credentialOf("enr-1");
    // The same pc_id from another machine (another data dir, so another key pair).
    void fleet.start("enr-1", { ...enroll(), dataDir: fleet.dataDir.join("impostor") }).catch(() => undefined);
    const row = await waitFor(async () => (await attention()).find((e) => e.pc_id === "enr-1" && e.conflict), { what: "conflict for enr-1" });
    expect(row.state).toBe("accepted");
    expect(row.public_key).not.toBe(row.conflict?.public_key);
    expect(row.public_key).toBe((await connect({ servers: broker.url, authenticator: authenticatorFor(enrolled.jwt, enrolled.seed), reconnect: false }).then(async (nc) => (await nc.close(), row.public_key))));
    // The operator keeps the enrolled key.
    const rejected = await backend.api<ListResponse<EnrollmentView>>("POST", "/api/enrollments/reject", { pcs: ["enr-1"] });
    expect(rejected.body.items[0]).toMatchObject({ state: "accepted", conflict: null, public_key: row.public_key });
    await fleet.stop("enr-1");
  });

  it("revoking cuts the agent off within seconds and keeps it off; accepted again, it works", async () => {
    await fleet.start("enr-rev", { ...enroll(), enrollToken: (await backend.api<EnrollTokenCreated>("POST", "/api/enroll-tokens", {})).body.token });
    await runsOn("enr-rev");
    const cred = credentialOf("enr-rev");
    // A second holder of the same credential: the broker drops it too.
    const spy = await connect({ servers: broker.url, authenticator: authenticatorFor(cred.jwt, cred.seed), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    const spyEvents: string[] = [];
    void (async () => {
      for await (const s of spy.status()) spyEvents.push(`${s.type} ${"error" in s ? String(s.error) : ""}`);
    })();
    const revoked = await backend.api<EnrollmentView>("POST", "/api/agents/enr-rev/revoke");
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe("revoked");
    await waitFor(() => spyEvents.some((e) => e.startsWith("disconnect")), { timeoutMs: 5_000, what: "revoked credential disconnected" });
    await new Promise((r) => setTimeout(r, 1_000));
    await expect(connect({ servers: broker.url, authenticator: authenticatorFor(cred.jwt, cred.seed), reconnect: false })).rejects.toThrow(/Authorization Violation|revoked/i);
    await spy.close();

    // Restarted, it asks to join again with the same key: an operator must accept it.
    await fleet.stop("enr-rev");
    const restarting = fleet.start("enr-rev", enroll());
    expect(await waitFor(async () => (await attention()).find((e) => e.pc_id === "enr-rev"), { what: "enr-rev pending again" })).toMatchObject({ state: "pending" });
    await backend.api("POST", "/api/enrollments/accept", { pcs: ["enr-rev"] });
    await restarting;
    await runsOn("enr-rev");
  });
});
