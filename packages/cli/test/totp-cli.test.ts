/**
 * Two-factor sign-in from the CLI against a real backend: a role that must use TOTP enrols with
 * `kanade account totp enroll|confirm`, then `kanade login` needs `--code` (or a recovery code), and a
 * replayed code is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startNatsServer, startTestBackend, tempDir, totpAt, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";

const PASSWORD = "correct horse battery";

let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let home: TempDir | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  home = tempDir("kanade-cli-totp-");
  expect((await backend.api("POST", "/api/accounts", { username: "cora", password: PASSWORD, role: "operator" })).status).toBe(201);
  expect((await backend.api("PUT", "/api/auth/totp-policy", { required_roles: ["operator"] })).status).toBe(200);
});
afterAll(async () => {
  await backend?.close();
  await nats?.dispose();
  home?.remove();
});

const cli = (args: string[], input?: string) =>
  runCli(args, { backendUrl: backend!.url, env: { XDG_CONFIG_HOME: home!.path }, timeoutMs: 30_000, ...(input ? { input } : {}) });
const login = (...extra: string[]) => cli(["login", "--username", "cora", "--password-stdin", ...extra], PASSWORD + "\n");

describe("kanade login with two factors", () => {
  it("enrols when the role requires it, then logs in with --code or a recovery code; a replayed code is refused", { timeout: 90_000 }, async () => {
    expect((await login()).code).toBe(0);
    const blocked = await cli(["job", "list"]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/"cora" must enrol TOTP first/);

    const enroll = await cli(["account", "totp", "enroll"]);
    expect(enroll.code, enroll.stderr).toBe(0);
    expect(enroll.stdout).toMatch(/[▀▄█]/); // the terminal QR code
    expect(enroll.stdout).toContain("uri:    otpauth://totp/kanade%3Acora?secret=");
    const secret = /^secret: ([A-Z2-7]+)$/m.exec(enroll.stdout)?.[1] ?? "";
    expect(secret).toHaveLength(32);
    const confirm = await cli(["account", "totp", "confirm", totpAt(secret, new Date())]);
    expect(confirm.code, confirm.stderr).toBe(0);
    const recovery = confirm.stdout.split("\n").filter((l) => /^ {2}[a-z2-7]{5}-[a-z2-7]{5}$/.test(l)).map((l) => l.trim());
    expect(recovery).toHaveLength(10);
    expect((await cli(["job", "list"])).code).toBe(0);

    // Without a terminal and without --code, login says what to give.
    const noCode = await login();
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toMatch(/--code/);

    const code = totpAt(secret, new Date(Date.now() + 30_000));
    const ok = await login("--code", code);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^logged in as cora \(operator\)/);
    const replay = await login("--code", code);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(/Wrong, expired or already used code/);

    const viaRecovery = await login("--recovery-code", recovery[0]!, "--json");
    expect(viaRecovery.code, viaRecovery.stderr).toBe(0);
    expect(JSON.parse(viaRecovery.stdout)).toMatchObject({ username: "cora", role: "operator" });
    expect((await login("--recovery-code", recovery[0]!)).code).toBe(1);
    const status = await cli(["account", "totp", "status", "--json"]);
    expect(JSON.parse(status.stdout)).toEqual({ enabled: true, required: true, recovery_codes_left: 9 });
  });
});
