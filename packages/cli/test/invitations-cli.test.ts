/**
 * Invitations and password reset from the CLI against a real backend mailing through a local SMTP sink:
 * `kanade account invite|invitations|invitation revoke|set-email` and `kanade password-reset`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkIn, runCli, startNatsServer, startSmtpSink, startTestBackend, TEST_TOKEN, type NatsServer, type SmtpSink, type TestBackend } from "@kanade/testkit";

const PUBLIC_URL = "http://kanade.test";
let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let sink: SmtpSink | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  sink = await startSmtpSink();
  backend = await startTestBackend(nats.url, { smtp: { host: sink.host, port: sink.port, security: "none", from: "kanade@example.com", publicUrl: PUBLIC_URL } });
});
afterAll(async () => {
  await backend?.close();
  await sink?.close();
  await nats?.dispose();
});

const admin = (args: string[]) => runCli(args, { backendUrl: backend!.url, token: TEST_TOKEN, timeoutMs: 30_000 });
const nobody = (args: string[]) => runCli(args, { backendUrl: backend!.url, timeoutMs: 30_000 });

describe("kanade account invite / password-reset", () => {
  it("invites, lists, revokes; bad input names the field", { timeout: 90_000 }, async () => {
    const invited = await admin(["account", "invite", "ivy@example.com", "--role", "viewer", "--expires", "24h", "--json"]);
    expect(invited.code, invited.stderr).toBe(0);
    const v = JSON.parse(invited.stdout) as { id: string; state: string; email: string };
    expect(v).toMatchObject({ state: "pending", email: "ivy@example.com" });
    const link = linkIn(await sink!.next("ivy@example.com"), `${PUBLIC_URL}/invite`);
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);

    const list = await admin(["account", "invitations"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${v.id}\\s+ivy@example.com\\s+viewer\\s+pending`));

    const revoked = await admin(["account", "invitation", "revoke", v.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await admin(["account", "invitations", "--json"])).stdout).toContain('"state": "revoked"');

    const bad = await admin(["account", "invite", "not-an-address", "--role", "viewer"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("email");
    const badRole = await admin(["account", "invite", "a@example.com", "--role", "king"]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("role");
  });

  it("set-email, then password-reset mails a link; an unknown name gets the same answer and no mail", { timeout: 90_000 }, async () => {
    expect((await backend!.api("POST", "/api/accounts", { username: "rita", password: "correct horse battery", role: "operator" })).status).toBe(201);
    const set = await admin(["account", "set-email", "rita", "rita@example.com"]);
    expect(set.code, set.stderr).toBe(0);
    const reset = await nobody(["password-reset", "rita"]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain("reset link is on its way");
    expect(linkIn(await sink!.next("rita@example.com"), `${PUBLIC_URL}/reset-password`)).toMatch(/[A-Za-z0-9_-]{43}$/);
    const before = sink!.mails.length;
    const unknown = await nobody(["password-reset", "nobody"]);
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toContain("reset link is on its way");
    expect(sink!.mails.length).toBe(before);
  });
});
