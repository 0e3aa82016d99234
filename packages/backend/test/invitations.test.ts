/**
 * Invitations and password-reset links against a real backend over real HTTP, mailing through a local SMTP
 * sink the test starts (smtp-server on a free loopback port), with a clock the test moves: the mail carries
 * the link, a link works once, an expired link is refused, a reset ends old sessions and leaves TOTP on,
 * unknown names answer 202 without mail, requests are throttled, and a dead SMTP server is reported with
 * nothing half-made.
 */
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "@kanade/protocol";
import { linkIn, startSmtpSink, totpAt, waitFor, type SmtpSink } from "@kanade/testkit";
import type { BackendConfig } from "../src/config.js";
import { useBackendEnv } from "./helpers.js";
import { requestFrom } from "./request-from.js";

const PUBLIC_URL = "http://kanade.test";
const PASSWORD = "correct horse battery";
let nowMs = Date.UTC(2030, 0, 1, 0, 0, 10);
const clock = (): Date => new Date(nowMs);
const tokenOf = (link: string): string => link.slice(link.lastIndexOf("/") + 1);

describe("invitations and password reset by e-mail", () => {
  let sink: SmtpSink | undefined;
  const overrides: Partial<BackendConfig> = {};
  beforeAll(async () => {
    sink = await startSmtpSink();
    overrides.smtp = { host: sink.host, port: sink.port, security: "none", from: "kanade@example.com", publicUrl: PUBLIC_URL };
  });
  afterAll(async () => sink?.close());
  const env = useBackendEnv(overrides, { clock });
  const mail = () => sink!;
  const api = (...args: Parameters<ReturnType<typeof env>["backend"]["api"]>) => env().backend.api(...args);
  const as = (ip: string, token: string | undefined, method: string, path: string, body?: unknown) =>
    requestFrom(ip, env().backend.url, method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  const anon = (method: string, path: string, body?: unknown, ip = "127.0.0.1") => as(ip, undefined, method, path, body);
  const invite = async (email: string, role = "operator", expires?: string): Promise<{ id: string; link: string }> => {
    const r = await api("POST", "/api/accounts/invitations", { email, role, ...(expires ? { expires } : {}) });
    expect(r.status, r.text).toBe(201);
    const m = await mail().next(email);
    expect(m.from).toBe("kanade@example.com");
    return { id: (r.body as { id: string }).id, link: linkIn(m, `${PUBLIC_URL}/invite`) };
  };
  const login = async (username: string, password: string) => anon("POST", "/api/auth/login", { username, password });
  const audited = (action: string, target: string) =>
    waitFor(async () => {
      const items = ((await api("GET", `/api/audit?action=${action}&target=${encodeURIComponent(target)}&limit=50`)).body as { items: AuditRecord[] }).items;
      return items.length > 0 ? items : undefined;
    }, { timeoutMs: 10_000, what: `${action} audited for ${target}` });

  it("mails an invitation link; accepting makes the account once, then the link answers 410", async () => {
    const { id, link } = await invite("Olga@Example.com", "operator");
    const token = tokenOf(link);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const shown = await anon("GET", `/api/invitations/${token}`);
    expect(shown.status, shown.text).toBe(200);
    expect(shown.body).toMatchObject({ email: "Olga@Example.com", role: "operator" });

    const listed = (await api("GET", "/api/accounts/invitations")).body as { items: { id: string; state: string }[] };
    expect(listed.items.find((i) => i.id === id)?.state).toBe("pending");
    expect(JSON.stringify(listed)).not.toContain(token);

    const bad = await anon("POST", `/api/invitations/${token}/accept`, { username: "olga", password: "short" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("password");
    const ok = await anon("POST", `/api/invitations/${token}/accept`, { username: "olga", password: PASSWORD });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body).toEqual({ username: "olga", role: "operator", email: "Olga@Example.com" });
    const signedIn = await login("olga", PASSWORD);
    expect(signedIn.status, signedIn.text).toBe(200);
    expect(signedIn.body).toMatchObject({ username: "olga", role: "operator", must_change_password: false });
    expect(((await api("GET", "/api/accounts/olga")).body as { email: string }).email).toBe("Olga@Example.com");

    const again = await anon("POST", `/api/invitations/${token}/accept`, { username: "olga2", password: PASSWORD });
    expect(again.status).toBe(410);
    expect((again.body as { error: { code: string } }).error.code).toBe("LINK_GONE");
    expect((await anon("GET", `/api/invitations/${token}`)).status).toBe(410);
    expect((await api("GET", "/api/accounts/olga2")).status).toBe(404);
    const after = (await api("GET", "/api/accounts/invitations")).body as { items: { id: string; state: string; username: string | null }[] };
    expect(after.items.find((i) => i.id === id)).toMatchObject({ state: "used", username: "olga" });
    await audited("account.invite", "Olga@Example.com");
    await audited("account.invitation_accept", "olga");
  });

  it("refuses an expired link, and a revoked one; a taken username leaves the link usable", async () => {
    const { id: expiredId, link: expiring } = await invite("late@example.com", "viewer", "1h");
    nowMs += 3_600_000 + 1_000;
    expect((await anon("GET", `/api/invitations/${tokenOf(expiring)}`)).status).toBe(410);
    expect((await anon("POST", `/api/invitations/${tokenOf(expiring)}/accept`, { username: "late", password: PASSWORD })).status).toBe(410);
    expect((await api("GET", "/api/accounts/late")).status).toBe(404);
    const listed = (await api("GET", "/api/accounts/invitations")).body as { items: { id: string; state: string }[] };
    expect(listed.items.find((i) => i.id === expiredId)?.state).toBe("expired");

    const { id, link } = await invite("rev@example.com", "viewer");
    expect((await anon("POST", `/api/invitations/${tokenOf(link)}/accept`, { username: "olga", password: PASSWORD })).status).toBe(409);
    expect((await anon("GET", `/api/invitations/${tokenOf(link)}`)).status).toBe(200);
    const revoked = await api("DELETE", `/api/accounts/invitations/${id}`);
    expect(revoked.status, revoked.text).toBe(200);
    expect((await anon("POST", `/api/invitations/${tokenOf(link)}/accept`, { username: "rev", password: PASSWORD })).status).toBe(410);
    expect((await api("DELETE", `/api/accounts/invitations/${id}`)).status).toBe(409);
    await audited("account.invitation_revoke", id);
  });

  it("rejects bad invitation input naming the field, and keeps invitations admin-only", async () => {
    const r = await api("POST", "/api/accounts/invitations", { email: "not-an-address", role: "operator" });
    expect(r.status).toBe(400);
    expect((r.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toContain("email");
    const role = await api("POST", "/api/accounts/invitations", { email: "x@example.com", role: "king" });
    expect((role.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path)).toContain("role");
    const session = ((await login("olga", PASSWORD)).body as { token: string }).token;
    expect((await as("127.0.0.1", session, "POST", "/api/accounts/invitations", { email: "x@example.com", role: "admin" })).status).toBe(403);
    expect((await anon("GET", "/api/invitations/not-a-token")).status).toBe(400);
  });

  it("a reset link works once, ends old sessions, and leaves TOTP on", async () => {
    const old = ((await login("olga", PASSWORD)).body as { token: string }).token;
    expect((await as("127.0.0.1", old, "GET", "/api/auth/me")).status).toBe(200);
    // TOTP on for olga.
    const e = await as("127.0.0.1", old, "POST", "/api/account/totp/enroll");
    const { secret } = e.body as { secret: string };
    nowMs += 30_000;
    expect((await as("127.0.0.1", old, "POST", "/api/account/totp/confirm", { code: totpAt(secret, clock()) })).status).toBe(200);

    const asked = await anon("POST", "/api/auth/password-reset", { username: "OLGA" }, "127.0.0.2");
    expect(asked.status, asked.text).toBe(202);
    const link = linkIn(await mail().next("olga@example.com"), `${PUBLIC_URL}/reset-password`);
    const NEW = "a brand new passphrase";
    const done = await anon("POST", "/api/auth/password-reset/complete", { token: tokenOf(link), new_password: NEW });
    expect(done.status, done.text).toBe(200);
    expect((done.body as { sessions_ended: number }).sessions_ended).toBeGreaterThanOrEqual(1);
    expect((await as("127.0.0.1", old, "GET", "/api/auth/me")).status).toBe(401);
    expect((await anon("POST", "/api/auth/password-reset/complete", { token: tokenOf(link), new_password: "yet another one" })).status).toBe(410);
    expect((await login("olga", PASSWORD)).status).toBe(401);
    const step = await login("olga", NEW);
    expect(step.status).toBe(200);
    expect(step.body).toMatchObject({ second_factor_required: true });
    await audited("auth.password_reset", "olga");
  });

  it("a reset link expires after an hour; by e-mail address works too", async () => {
    expect((await anon("POST", "/api/auth/password-reset", { email: "OLGA@example.com" }, "127.0.0.3")).status).toBe(202);
    const link = linkIn(await mail().next("olga@example.com"), `${PUBLIC_URL}/reset-password`);
    // The web form's single field: an address in `username` that names no account is tried as an address.
    expect((await anon("POST", "/api/auth/password-reset", { username: "olga@EXAMPLE.com" }, "127.0.0.3")).status).toBe(202);
    await mail().next("olga@example.com");
    nowMs += 3_600_000 + 1_000;
    expect((await anon("POST", "/api/auth/password-reset/complete", { token: tokenOf(link), new_password: "too late for this" })).status).toBe(410);
  });

  it("an unknown username still answers 202 and sends no mail; requests are throttled per address", async () => {
    const before = mail().mails.length;
    const r = await anon("POST", "/api/auth/password-reset", { username: "nobody-here" }, "127.0.0.4");
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: true });
    const both = await anon("POST", "/api/auth/password-reset", { username: "a", email: "b@example.com" }, "127.0.0.4");
    expect(both.status).toBe(400);
    expect(both.text).toContain("username");
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) status = (await anon("POST", "/api/auth/password-reset", { username: "nobody-here" }, "127.0.0.5")).status;
    expect(status).toBe(429);
    // Another address is not held back by it.
    expect((await anon("POST", "/api/auth/password-reset", { username: "nobody-here" }, "127.0.0.6")).status).toBe(202);
    expect(mail().mails.length).toBe(before);
  });

  it("SMTP down: the invitation answers 503 MAIL_UNAVAILABLE and no invitation is left behind", async () => {
    const count = ((await api("GET", "/api/accounts/invitations")).body as { items: unknown[] }).items.length;
    await mail().close();
    const r = await api("POST", "/api/accounts/invitations", { email: "lost@example.com", role: "viewer" });
    expect(r.status, r.text).toBe(503);
    expect((r.body as { error: { code: string; message: string } }).error).toMatchObject({ code: "MAIL_UNAVAILABLE" });
    expect((r.body as { error: { message: string } }).error.message).toContain("lost@example.com");
    const items = ((await api("GET", "/api/accounts/invitations")).body as { items: { email: string }[] }).items;
    expect(items.length).toBe(count);
    expect(items.some((i) => i.email === "lost@example.com")).toBe(false);
  });
});

describe("without SMTP settings", () => {
  const env = useBackendEnv();
  it("invitations and reset requests answer 503 saying SMTP is not configured", async () => {
    const r = await env().backend.api("POST", "/api/accounts/invitations", { email: "a@example.com", role: "viewer" });
    expect(r.status).toBe(503);
    expect(r.text).toContain("SMTP is not configured");
    expect((await env().backend.api("POST", "/api/auth/password-reset", { username: "x" })).status).toBe(503);
  });
});
