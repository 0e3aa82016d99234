/** The built `kanade` for governance: login keeps a private token, accounts, approvals by a second operator, audit. */
import { statSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, ExecResponse, JetStreamUsage } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";

const PASSWORD = "correct horse battery";
const GUARDED_YAML = `id: guarded
version: 1.0.0
require_approval: true
execute:
  shell: sh
  script: echo guarded
  timeout: 30s
`;

let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let home: TempDir | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  home = tempDir("kanade-cli-home-");
  writeFileSync(home.join("guarded.yaml"), GUARDED_YAML);
  expect((await admin(["job", "create", home.join("guarded.yaml")])).code).toBe(0);
});
afterAll(async () => {
  await backend?.close();
  await nats?.dispose();
  home?.remove();
});

const admin = (args: string[], input?: string) => runCli(args, { backendUrl: backend!.url, token: backend!.token, timeoutMs: 30_000, ...(input ? { input } : {}) });
/** Runs as whoever last logged in with this config dir (no KANADE_AUTH_TOKEN). */
const as = (user: string, args: string[], input?: string) =>
  runCli(args, { backendUrl: backend!.url, env: { XDG_CONFIG_HOME: home!.join(user) }, timeoutMs: 30_000, ...(input ? { input } : {}) });

describe("kanade governance commands", () => {
  it("creates accounts, logs in with a private token file, and enforces roles", async () => {
    for (const [user, role] of [["otto", "operator"], ["olga", "operator"], ["vera", "viewer"]]) {
      const r = await admin(["account", "create", user!, "--role", role!, "--password-stdin"], PASSWORD + "\n");
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe(`created ${user}  ${role}\n`);
      const login = await as(user!, ["login", "--username", user!, "--password-stdin"], PASSWORD + "\n");
      expect(login.code).toBe(0);
      expect(login.stdout).toMatch(new RegExp(`^logged in as ${user} \\(${role}\\) until `));
      expect(statSync(home!.join(user!, "kanade", "token")).mode & 0o777).toBe(0o600);
    }
    const list = await admin(["account", "list"]);
    expect(list.stdout).toMatch(/^USERNAME\s+ROLE\s+EMAIL\s+DISABLED/);
    expect(list.stdout).toMatch(/^vera\s+viewer\s+-\s+no/m);

    const denied = await as("vera", ["kill", "01890000-0000-7000-8000-000000000000"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/needs the operator role; "vera" is a viewer/);
    const notAdmin = await as("otto", ["account", "list"]);
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.stderr).toMatch(/needs the admin role/);
    const badRole = await admin(["account", "set-role", "vera", "boss"]);
    expect(badRole.code).toBe(2);
  });

  it("holds an exec for approval, refuses self-approval, and publishes on a second operator's approval", async () => {
    const exec = await as("otto", ["exec", "guarded", "--pcs", "pc-1", "--json"]);
    expect(exec.code).toBe(0);
    const res = JSON.parse(exec.stdout) as ExecResponse;
    expect(res.state).toBe("pending_approval");

    const waiting = await as("otto", ["exec", "guarded", "--pcs", "pc-1", "--wait", "--timeout", "1s"]);
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toContain("(waiting for approval)");

    const self = await as("otto", ["approve", res.exec_id]);
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/a different operator must approve it/);
    const ok = await as("olga", ["approve", res.exec_id]);
    // What is being approved is said first: the job, its targets, who asked, and the content digest.
    expect(ok.stderr).toMatch(/^guarded 1\.0\.0 on 1 PC\(s\), requested by otto; content [0-9a-f]{12}\n$/);
    expect(ok.stdout).toBe(`approved ${res.exec_id} (running)\n`);
    const twice = await as("olga", ["approve", res.exec_id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/already approved/);

    const rows = await waitFor(async () => {
      const r = await as("vera", ["audit", "--action", "exec.*", "--json"]);
      const items = JSON.parse(r.stdout) as AuditRecord[];
      return items.some((e) => e.action === "exec.approve" && e.actor === "olga" && e.target === res.exec_id) ? items : undefined;
    }, { timeoutMs: 10_000, what: "approval in the audit trail" });
    expect(rows.some((e) => e.action === "exec.request_approval" && e.actor === "otto")).toBe(true);
    const table = await as("vera", ["audit", "--actor", "olga", "--since", "1h"]);
    expect(table.stdout).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+SOURCE\s+DETAILS$/m);
    expect(table.stdout).toMatch(/olga\s+exec\.approve/);
  });

  it("shows JetStream usage", async () => {
    const r = await as("vera", ["jetstream", "status", "--json"]);
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout) as JetStreamUsage[];
    expect(items.find((i) => i.name === "EXEC")).toMatchObject({ kind: "stream" });
    const table = await as("vera", ["jetstream", "status"]);
    expect(table.stdout).toMatch(/^stream\s+RESULTS\s+\d+\s+.*2\.0 GiB/m);
  });
});
