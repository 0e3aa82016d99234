/**
 * Two-factor sign-in against a real backend over real HTTP, with a clock the test moves in whole TOTP
 * steps: enrolment and confirm, the second sign-in step, replayed codes, single-use recovery codes,
 * wrong codes throttled like passwords, and a role that must enrol before it can do anything else.
 */
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { openDatabase } from "../src/db/database.js";
import { totpAt } from "../src/governance/totp.js";
import { dbTarget, useBackendEnv } from "./helpers.js";
import { requestFrom } from "./request-from.js";

type ErrBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };
const PASSWORD = "correct horse battery";

// Ten seconds into a step, so nothing here sits on a step boundary.
let nowMs = Date.UTC(2030, 0, 1, 0, 0, 10);
const clock = (): Date => new Date(nowMs);
const nextStep = (): void => void (nowMs += 30_000);
const codeNow = (secret: string): string => totpAt(secret, clock());

describe("two-factor sign-in (TOTP)", () => {
  const env = useBackendEnv({}, { clock });
  const api = (...args: Parameters<ReturnType<typeof env>["backend"]["api"]>) => env().backend.api(...args);
  const as = (ip: string, token: string | undefined, method: string, path: string, body?: unknown) =>
    requestFrom(ip, env().backend.url, method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  const createAccount = async (username: string, role: "viewer" | "operator" | "admin"): Promise<void> => {
    expect((await api("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
  };
  const passwordStep = async (username: string, ip = "127.0.0.1") => {
    const r = await as(ip, undefined, "POST", "/api/auth/login", { username, password: PASSWORD });
    expect(r.status, r.text).toBe(200);
    return r.body as { token?: string; second_factor_required?: true; challenge: string };
  };
  const sessionOf = async (username: string): Promise<string> => {
    const b = await passwordStep(username);
    expect(b.token, "a session straight away").toBeDefined();
    return b.token!;
  };
  /** Enrols and confirms; answers the secret and the recovery codes. */
  const enrol = async (token: string): Promise<{ secret: string; recovery: string[] }> => {
    const e = await as("127.0.0.1", token, "POST", "/api/account/totp/enroll");
    expect(e.status, e.text).toBe(200);
    const { secret } = e.body as { secret: string };
    nextStep();
    const c = await as("127.0.0.1", token, "POST", "/api/account/totp/confirm", { code: codeNow(secret) });
    expect(c.status, c.text).toBe(200);
    return { secret, recovery: (c.body as { recovery_codes: string[] }).recovery_codes };
  };
  const audited = (action: string, target: string) =>
    waitFor(async () => {
      const r = await api("GET", `/api/audit?action=${action}&target=${target}&limit=50`);
      const items = (r.body as { items: AuditRecord[] }).items;
      return items.length > 0 ? items : undefined;
    }, { timeoutMs: 10_000, what: `${action} audited for ${target}` });

  it("enrols with a QR code, turns on only after a first code, then sign-in needs a code; a replayed code is refused", async () => {
    await createAccount("tina", "operator");
    const token = await sessionOf("tina");
    const e = await as("127.0.0.1", token, "POST", "/api/account/totp/enroll");
    expect(e.status).toBe(200);
    const enrollment = e.body as { secret: string; otpauth_uri: string; qr_data_url: string };
    expect(enrollment.otpauth_uri).toBe(`otpauth://totp/kanade%3Atina?secret=${enrollment.secret}&issuer=kanade&algorithm=SHA1&digits=6&period=30`);
    expect(Buffer.from(enrollment.qr_data_url.replace(/^data:image\/svg\+xml;base64,/, ""), "base64").toString()).toMatch(/^<svg/);
    // Not active yet: the password alone still signs in, and the secret is never shown again.
    expect((await passwordStep("tina")).token).toBeDefined();
    const status = await as("127.0.0.1", token, "GET", "/api/account/totp");
    expect(status.body).toEqual({ enabled: false, required: false, recovery_codes_left: 0 });
    expect(status.text).not.toContain(enrollment.secret);

    const wrong = await as("127.0.0.1", token, "POST", "/api/account/totp/confirm", { code: "000000" === codeNow(enrollment.secret) ? "111111" : "000000" });
    expect(wrong.status).toBe(403);
    const confirmed = await as("127.0.0.1", token, "POST", "/api/account/totp/confirm", { code: codeNow(enrollment.secret) });
    expect(confirmed.status, confirmed.text).toBe(200);
    const codes = (confirmed.body as { recovery_codes: string[] }).recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await as("127.0.0.1", token, "POST", "/api/account/totp/enroll")).status).toBe(409);

    const step1 = await passwordStep("tina");
    expect(step1).toMatchObject({ second_factor_required: true });
    expect(step1.token).toBeUndefined();
    // The code confirm used is spent: the same step is refused.
    const replay = await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: step1.challenge, code: codeNow(enrollment.secret) });
    expect(replay.status).toBe(401);
    nextStep();
    const code = codeNow(enrollment.secret);
    const done = await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: step1.challenge, code });
    expect(done.status, done.text).toBe(200);
    const session = (done.body as { token: string }).token;
    expect((await as("127.0.0.1", session, "GET", "/api/auth/me")).body).toMatchObject({ actor: "tina", role: "operator" });
    // The challenge is used up, and the code cannot open a second session.
    expect((await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: step1.challenge, code })).status).toBe(401);
    const step2 = await passwordStep("tina");
    expect((await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: step2.challenge, code })).status).toBe(401);
    await audited("account.totp_enable", "tina");
    expect((await audited("auth.login", "tina")).some((r) => (r.payload_summary as { second_factor?: string }).second_factor === "totp")).toBe(true);
  });

  it("accepts each recovery code once, and names bad fields", async () => {
    await createAccount("rick", "viewer");
    const { recovery } = await enrol(await sessionOf("rick"));
    const first = await passwordStep("rick");
    // Typed without the dash and in capitals, as people do.
    const typed = recovery[0]!.replace("-", "").toUpperCase();
    const ok = await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: first.challenge, recovery_code: typed });
    expect(ok.status, ok.text).toBe(200);
    const again = await passwordStep("rick");
    expect((await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: again.challenge, recovery_code: recovery[0] })).status).toBe(401);
    const token = (ok.body as { token: string }).token;
    expect((await as("127.0.0.1", token, "GET", "/api/account/totp")).body).toEqual({ enabled: true, required: false, recovery_codes_left: 9 });

    const both = await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: again.challenge, code: "123456", recovery_code: recovery[1] });
    expect(both.status).toBe(400);
    expect((both.body as ErrBody).error.details?.[0]?.path).toBe("code");
    const short = await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: again.challenge, code: "12345" });
    expect(short.status).toBe(400);
    expect((short.body as ErrBody).error.details?.[0]?.path).toBe("code");
    // Bad input did not spend the challenge: the next recovery code completes it.
    expect((await as("127.0.0.1", undefined, "POST", "/api/auth/login/second-factor", { challenge: again.challenge, recovery_code: recovery[1] })).status).toBe(200);
  });

  it("throttles wrong codes exactly like wrong passwords, per (user, address)", async () => {
    await createAccount("gina", "operator");
    const { secret } = await enrol(await sessionOf("gina"));
    nextStep();
    const { challenge } = await passwordStep("gina", "127.0.0.71");
    const right = codeNow(secret);
    const wrongCode = right === "999999" ? "888888" : "999999";
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await as("127.0.0.71", undefined, "POST", "/api/auth/login/second-factor", { challenge, code: wrongCode })).status);
    // Five failures pass back to back (the password step counts until a code completes it), then the backoff.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429]);
    const refused = await as("127.0.0.71", undefined, "POST", "/api/auth/login/second-factor", { challenge, code: right });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // From another address the owner completes the same challenge at once.
    expect((await as("127.0.0.72", undefined, "POST", "/api/auth/login/second-factor", { challenge, code: right })).status).toBe(200);
    expect((await audited("auth.second_factor_failed", "gina")).length).toBe(4);
  });

  it("a role that must use TOTP reaches only enrolment until it enrols; changes are audited", async () => {
    await createAccount("omar", "operator");
    await createAccount("vera", "viewer");
    const policy = await api("PUT", "/api/auth/totp-policy", { required_roles: ["operator", "admin"] });
    expect(policy.status, policy.text).toBe(200);
    expect(policy.body).toEqual({ required_roles: ["operator", "admin"] });
    const bad = await api("PUT", "/api/auth/totp-policy", { required_roles: ["root"] });
    expect(bad.status).toBe(400);
    expect((bad.body as ErrBody).error.details?.[0]?.path).toMatch(/^required_roles/);

    const token = await sessionOf("omar");
    const blocked = await as("127.0.0.1", token, "GET", "/api/jobs");
    expect(blocked.status).toBe(403);
    expect((blocked.body as ErrBody).error.code).toBe("TOTP_ENROLLMENT_REQUIRED");
    expect((blocked.body as ErrBody).error.message).toMatch(/operator role must use two-factor sign-in: "omar" must enrol TOTP/);
    expect((await as("127.0.0.1", token, "GET", "/api/auth/me")).status).toBe(200);
    expect((await as("127.0.0.1", token, "GET", "/api/account/totp")).body).toEqual({ enabled: false, required: true, recovery_codes_left: 0 });
    // Other roles and the static token are not affected.
    expect((await as("127.0.0.1", await sessionOf("vera"), "GET", "/api/jobs")).status).toBe(200);
    expect((await api("GET", "/api/jobs")).status).toBe(200);

    const { secret } = await enrol(token);
    expect((await as("127.0.0.1", token, "GET", "/api/jobs")).status).toBe(200);

    // An admin's reset puts the account back behind the requirement.
    const reset = await api("DELETE", "/api/accounts/omar/totp");
    expect(reset.status, reset.text).toBe(200);
    expect((await as("127.0.0.1", token, "GET", "/api/jobs")).status).toBe(403);
    const resetAudit = await audited("account.totp_disable", "omar");
    expect(resetAudit[0]?.payload_summary).toMatchObject({ by: "admin" });
    const policyAudit = await audited("auth.totp_policy", "totp_required_roles");
    expect(policyAudit[0]?.payload_summary).toMatchObject({ before: [], after: ["operator", "admin"] });
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect((await api("PUT", "/api/auth/totp-policy", { required_roles: [] })).status).toBe(200);
  });

  it("turns off with a current code only", async () => {
    await createAccount("dave", "viewer");
    const token = await sessionOf("dave");
    const { secret } = await enrol(token);
    nextStep();
    const wrong = await as("127.0.0.1", token, "DELETE", "/api/account/totp", { code: codeNow(secret) === "000000" ? "111111" : "000000" });
    expect(wrong.status).toBe(403);
    expect((wrong.body as ErrBody).error.details?.[0]?.path).toBe("code");
    const off = await as("127.0.0.1", token, "DELETE", "/api/account/totp", { code: codeNow(secret) });
    expect(off.status, off.text).toBe(200);
    expect(off.body).toEqual({ username: "dave", enabled: false });
    expect((await passwordStep("dave")).token).toBeDefined();
    expect((await audited("account.totp_disable", "dave"))[0]?.payload_summary).toMatchObject({ by: "own_code" });
  });

  it("deletes an account's secret and recovery codes with the account", async () => {
    await createAccount("zoe", "viewer");
    await enrol(await sessionOf("zoe"));
    const db = openDatabase(dbTarget(env().backend.dbUrl));
    try {
      const rows = (): number[] =>
        ["account_totp", "account_recovery_codes"].map((t) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number);
      const [secrets, codes] = rows();
      expect((await api("DELETE", "/api/accounts/zoe")).status).toBe(200);
      expect(rows()).toEqual([secrets! - 1, codes! - 10]);
    } finally {
      db.close();
    }
  });
});
