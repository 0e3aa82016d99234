/** The built `kanade` for permission groups: `perm-group create|list|show|delete`, `account set-perm-groups`, a scoped `exec --all`. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoginResponse } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, TEST_TOKEN, type NatsServer, type TestBackend } from "@kanade/testkit";

const PASSWORD = "correct horse battery";
const HELLO = { id: "hello", version: "1.0.0", execute: { shell: "sh", script: "echo hi", timeout: "30s" } };

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

const admin = (args: string[]) => runCli(args, { backendUrl: backend!.url, token: TEST_TOKEN, timeoutMs: 30_000 });

describe("kanade perm-group", () => {
  it("creates, lists, shows a permission group; puts an account in it; a scoped exec --all says it was narrowed", { timeout: 120_000 }, async () => {
    for (const pc of ["lab-1", "lab-2"]) expect((await backend!.api("PUT", `/api/agents/${pc}/groups`, { groups: ["lab"] })).status).toBe(200);
    expect((await backend!.api("PUT", "/api/agents/office-1/groups", { groups: ["office"] })).status).toBe(200);
    expect((await backend!.api("POST", "/api/jobs", HELLO)).status).toBe(201);

    const created = await admin(["perm-group", "create", "lab-team", "--pc-groups", "lab", "--capabilities", "exec,kill", "--description", "the lab"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/pc groups:\s+lab\n/);
    expect(created.stdout).toMatch(/capabilities:\s+exec, kill\n/);
    const badCap = await admin(["perm-group", "create", "x", "--pc-groups", "lab", "--capabilities", "fly"]);
    expect(badCap.code).toBe(2);
    expect(badCap.stderr).toContain('unknown capability "fly"');

    expect((await backend!.api("POST", "/api/accounts", { username: "lena", password: PASSWORD, role: "operator" })).status).toBe(201);
    const set = await admin(["account", "set-perm-groups", "lena", "lab-team"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe("lena  lab-team\n");
    const list = await admin(["perm-group", "list"]);
    expect(list.stdout).toMatch(/lab-team\s+lab\s+exec,kill\s+lena/);
    expect((await admin(["perm-group", "show", "lab-team", "--json"])).stdout).toContain('"members": [\n    "lena"\n  ]');

    const login = await backend!.api<LoginResponse>("POST", "/api/auth/login", { username: "lena", password: PASSWORD });
    const lena = (args: string[]) => runCli(args, { backendUrl: backend!.url, token: login.body.token, timeoutMs: 30_000 });
    const all = await lena(["exec", "hello", "--all"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain("targets: 2\nscope: --all narrowed to the PCs of permission group(s) lab-team\n");
    const outside = await lena(["exec", "hello", "--pcs", "office-1"]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('PC(s) "office-1" are outside your permission groups (lab-team: PC groups lab)');

    const busy = await admin(["perm-group", "delete", "lab-team"]);
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toContain("still has accounts (lena)");
    const none = await admin(["account", "set-perm-groups", "lena", "--none"]);
    expect(none.stdout).toBe("lena  (no permission groups: whole fleet)\n");
    const deleted = await admin(["perm-group", "delete", "lab-team"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await admin(["perm-group", "list", "--json"])).stdout.trim()).toBe("[]");
  });
});
