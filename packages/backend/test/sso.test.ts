/**
 * Single sign-on against a real OpenID Connect provider (oidc-provider on a free loopback port) over real
 * HTTP, walked as a browser with a cookie jar: a just-in-time account with the role its group maps to, a
 * person in no mapped group refused with a page that says why, state, nonce and PKCE checked, a removed
 * group or a grant revoked at the provider ending the kanade session at the next re-check, and a backend
 * without [oidc] offering no SSO at all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountSummary, AuditRecord, LoginResponse } from "@kanade/protocol";
import { browseSignIn, freePort, startTestIdp, waitFor, type TestIdp } from "@kanade/testkit";
import type { BackendConfig } from "../src/config.js";
import { createOidcProvider } from "../src/governance/sso/provider.js";
import { useBackendEnv } from "./helpers.js";

const ROLES = { "kanade-admins": "admin", "kanade-ops": "operator", helpdesk: "viewer" } as const;

describe("single sign-on with OpenID Connect", () => {
  let idp: TestIdp | undefined;
  const overrides: Partial<BackendConfig> = {};
  beforeAll(async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({ redirectUris: [`${base}/api/auth/oidc/callback`] });
    overrides.bindPort = port;
    overrides.oidc = {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectBaseUrl: base,
      roleClaim: "groups",
      roles: { ...ROLES },
      // "osaka-staff" maps to no role of its own: the person's role comes from their other groups.
      permGroups: { "osaka-staff": ["helpdesk-osaka"], "kyoto-staff": ["helpdesk-kyoto", "not-made-yet"] },
      usernameClaim: "preferred_username",
      scopes: "openid profile email offline_access",
      name: "Test IdP",
      refreshIntervalMs: 1_000,
    };
  });
  afterAll(async () => idp?.close());
  const env = useBackendEnv(overrides);
  const api = (...args: Parameters<ReturnType<typeof env>["backend"]["api"]>) => env().backend.api(...args);
  const url = (path: string): string => `${env().backend.url}${path}`;
  const as = async (token: string, path: string) => {
    const res = await fetch(url(path), { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const handoff = async (body: unknown) => {
    const res = await fetch(url("/api/auth/oidc/handoff"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as LoginResponse & { error?: { code: string; message: string } } };
  };
  /** Signs in at the provider as `username` and picks the session up as the web UI does. */
  const signIn = async (username: string): Promise<LoginResponse> => {
    const walk = await browseSignIn(url("/api/auth/oidc/start"), username, { stopAt: (u) => u.pathname === "/sso" });
    expect(walk.location, walk.text).toMatch(/\/sso#handoff=[A-Za-z0-9_-]{43}$/);
    const code = walk.location!.split("#handoff=")[1]!;
    const r = await handoff({ code });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const audited = (action: string, target: string) =>
    waitFor(async () => {
      const items = ((await api("GET", `/api/audit?action=${action}&target=${encodeURIComponent(target)}&limit=50`)).body as { items: AuditRecord[] }).items;
      return items.length > 0 ? items : undefined;
    }, { timeoutMs: 10_000, what: `${action} audited for ${target}` });

  it("says SSO is offered, with the provider's name", async () => {
    const r = await fetch(url("/api/auth/methods"));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ password: true, sso: { name: "Test IdP" } });
  });

  it("makes a just-in-time SSO account with the role its group maps to; it has no password", async () => {
    idp!.setPerson("sub-alice", { preferred_username: "alice", email: "alice@example.com", groups: ["staff", "kanade-ops"] });
    const session = await signIn("alice");
    expect(session).toMatchObject({ username: "alice", role: "operator", must_change_password: false });
    const me = await as(session.token, "/api/auth/me");
    expect(me.body).toEqual({ actor: "alice", role: "operator", kind: "account", must_change_password: false });
    const account = (await api("GET", "/api/accounts/alice")).body as AccountSummary;
    expect(account).toMatchObject({ username: "alice", role: "operator", email: "alice@example.com", sso: true });
    const password = await api("POST", "/api/auth/login", { username: "alice", password: "anything-at-all" });
    expect(password.status).toBe(401);
    const setPassword = await api("PATCH", "/api/accounts/alice", { password: "a-local-password" });
    expect(setPassword.status).toBe(400);
    expect(setPassword.text).toContain("signs in with single sign-on and has no local password");
    // Its second factor is the provider's: a role that requires TOTP does not lock it out, and it cannot enrol one.
    expect((await api("PUT", "/api/auth/totp-policy", { required_roles: ["operator"] })).status).toBe(200);
    expect((await as(session.token, "/api/jobs")).status).toBe(200);
    const enrol = await fetch(url("/api/account/totp/enroll"), { method: "POST", headers: { authorization: `Bearer ${session.token}` } });
    expect(enrol.status).toBe(409);
    expect((await api("PUT", "/api/auth/totp-policy", { required_roles: [] })).status).toBe(200);
    const [created] = await audited("account.sso_create", "alice");
    expect(created!.payload_summary).toMatchObject({ role: "operator" });
    const logins = await audited("auth.login", "alice");
    expect(logins[0]!.payload_summary).toMatchObject({ method: "sso", role: "operator" });

    // The handoff code works once.
    const again = await browseSignIn(url("/api/auth/oidc/start"), "alice", { stopAt: (u) => u.pathname === "/sso" });
    const code = again.location!.split("#handoff=")[1]!;
    expect((await handoff({ code })).status).toBe(200);
    const reused = await handoff({ code });
    expect(reused.status).toBe(400);
    expect(reused.body.error?.code).toBe("SSO_FAILED");
  });

  it("refuses a person in no mapped group with a 403 page that says why, and makes no account", async () => {
    idp!.setPerson("sub-bob", { preferred_username: "bob", groups: ["marketing"] });
    const walk = await browseSignIn(url("/api/auth/oidc/start"), "bob");
    expect(walk.status).toBe(403);
    expect(walk.url).toContain("/api/auth/oidc/callback");
    expect(walk.text).toContain("SSO_REFUSED");
    expect(walk.text).toContain("no value of its &#34;groups&#34; claim (marketing) maps to a kanade role");
    expect((await api("GET", "/api/accounts/bob")).status).toBe(404);
    const [refused] = await audited("auth.sso_refused", "bob");
    expect(refused!.payload_summary).toMatchObject({ reason: "no_role" });
  });

  it("refuses an unknown state, a state from another browser, and a wrong handoff verifier", async () => {
    const unknown = await fetch(url("/api/auth/oidc/callback?code=abc&state=not-a-state"));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("SSO_FAILED");

    // Another browser: the callback comes back without the cookie of the browser that started.
    idp!.setPerson("sub-erin", { preferred_username: "erin", groups: ["helpdesk"] });
    const walk = await browseSignIn(url("/api/auth/oidc/start"), "erin", { stopAt: (u) => u.pathname === "/api/auth/oidc/callback" });
    const stolen = await fetch(walk.location!, { redirect: "manual" });
    expect(stolen.status).toBe(400);
    expect(await stolen.text()).toContain("started in another browser");
    expect((await api("GET", "/api/accounts/erin")).status).toBe(404);

    // A handoff started with a challenge needs the secret behind it.
    const verifier = "v".repeat(43);
    const { createHash } = await import("node:crypto");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const bound = await browseSignIn(url(`/api/auth/oidc/start?handoff_challenge=${challenge}`), "erin", { stopAt: (u) => u.pathname === "/sso" });
    const code = bound.location!.split("#handoff=")[1]!;
    const wrong = await handoff({ code, verifier: "w".repeat(43) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toContain("verifier does not match");
    const right = await handoff({ code, verifier });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ username: "erin", role: "viewer" });
  });

  it("refuses an ID token whose nonce is not the one sent, and a code exchanged without its PKCE verifier", async () => {
    const rp = createOidcProvider(overrides.oidc!);
    idp!.setPerson("sub-frank", { preferred_username: "frank", groups: ["helpdesk"] });
    const callbackAt = (u: URL) => u.pathname === "/api/auth/oidc/callback";
    const first = await rp.begin();
    const back = await browseSignIn(first.url.href, "frank", { stopAt: callbackAt });
    await expect(rp.finish(new URL(back.location!), { state: first.state, nonce: "not-the-nonce", codeVerifier: first.codeVerifier })).rejects.toMatchObject({
      code: "SSO_FAILED",
      message: expect.stringMatching(/nonce/i),
    });
    const second = await rp.begin();
    const back2 = await browseSignIn(second.url.href, "frank", { stopAt: callbackAt });
    await expect(rp.finish(new URL(back2.location!), { state: second.state, nonce: second.nonce, codeVerifier: "x".repeat(43) })).rejects.toMatchObject({ code: "SSO_FAILED" });
    const third = await rp.begin();
    const back3 = await browseSignIn(third.url.href, "frank", { stopAt: callbackAt });
    await expect(rp.finish(new URL(back3.location!), { state: "another-state", nonce: third.nonce, codeVerifier: third.codeVerifier })).rejects.toMatchObject({ code: "SSO_FAILED" });
  });

  it("ends the session at the next re-check once the person's group is removed at the provider", async () => {
    idp!.setPerson("sub-gina", { preferred_username: "gina", groups: ["kanade-admins"] });
    const session = await signIn("gina");
    expect((await as(session.token, "/api/auth/me")).body).toMatchObject({ actor: "gina", role: "admin" });
    idp!.setPerson("sub-gina", { preferred_username: "gina", groups: [] });
    const ended = await waitFor(async () => {
      const r = await as(session.token, "/api/auth/me");
      return r.status === 401 ? r : undefined;
    }, { timeoutMs: 15_000, what: "gina's session ends" });
    expect((ended.body as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    const [record] = await audited("auth.sso_session_ended", "gina");
    expect(record!.payload_summary).toMatchObject({ reason: "no_role" });
  });

  it("follows a group change to another mapped role at the re-check", async () => {
    idp!.setPerson("sub-hank", { preferred_username: "hank", groups: ["kanade-ops"] });
    const session = await signIn("hank");
    idp!.setPerson("sub-hank", { preferred_username: "hank", groups: ["helpdesk"] });
    const before = idp!.refreshes();
    await waitFor(async () => {
      const r = await as(session.token, "/api/auth/me");
      return r.body.role === "viewer" ? r : undefined;
    }, { timeoutMs: 15_000, what: "hank becomes a viewer" });
    expect(idp!.refreshes()).toBeGreaterThan(before);
    expect(((await api("GET", "/api/accounts/hank")).body as AccountSummary).role).toBe("viewer");
  });

  it("puts an SSO account in the permission groups its claim maps to, and follows the claim at the re-check", async () => {
    for (const g of ["helpdesk-osaka", "helpdesk-kyoto"]) {
      expect((await api("PUT", `/api/perm-groups/${g}`, { pc_groups: [g.replace("helpdesk-", "")], capabilities: ["run"] })).status).toBe(201);
    }
    const permGroupsOf = async (u: string): Promise<string[]> => ((await api("GET", `/api/accounts/${u}/perm-groups`)).body as { perm_groups: string[] }).perm_groups;
    idp!.setPerson("sub-kim", { preferred_username: "kim", groups: ["kanade-ops", "osaka-staff"] });
    const session = await signIn("kim");
    expect(await permGroupsOf("kim")).toEqual(["helpdesk-osaka"]);
    expect((await as(session.token, "/api/auth/me")).body).toMatchObject({ scope: { perm_groups: ["helpdesk-osaka"], pc_groups: ["osaka"] } });
    const [placed] = await audited("account.sso_perm_groups", "kim");
    expect(placed!.payload_summary).toMatchObject({ from: [], to: ["helpdesk-osaka"] });

    // Moved to Kyoto at the provider: the next re-check moves the account (a mapped group nobody made is skipped).
    idp!.setPerson("sub-kim", { preferred_username: "kim", groups: ["kanade-ops", "kyoto-staff"] });
    // The re-check runs when the session is used.
    await waitFor(async () => {
      const me = await as(session.token, "/api/auth/me");
      return (me.body.scope as { perm_groups?: string[] } | undefined)?.perm_groups?.join() === "helpdesk-kyoto" ? true : undefined;
    }, { timeoutMs: 15_000, what: "kim moves to helpdesk-kyoto" });
    expect(await permGroupsOf("kim")).toEqual(["helpdesk-kyoto"]);
    // An admin is never scoped, whatever the claim says.
    idp!.setPerson("sub-lee", { preferred_username: "lee", groups: ["kanade-admins", "osaka-staff"] });
    await signIn("lee");
    expect(await permGroupsOf("lee")).toEqual([]);
  });

  it("ends the session at the next re-check once the provider revokes the person's grant", async () => {
    idp!.setPerson("sub-ivy", { preferred_username: "ivy", groups: ["kanade-ops"] });
    const session = await signIn("ivy");
    expect((await as(session.token, "/api/auth/me")).status).toBe(200);
    expect(await idp!.revokeGrants("sub-ivy")).toBeGreaterThan(0);
    await waitFor(async () => ((await as(session.token, "/api/auth/me")).status === 401 ? true : undefined), { timeoutMs: 15_000, what: "ivy's session ends" });
    const [record] = await audited("auth.sso_session_ended", "ivy");
    expect(record!.payload_summary).toMatchObject({ reason: "invalid_grant" });
    // Signing in again works: the person still has a mapped group.
    const fresh = await signIn("ivy");
    expect((await as(fresh.token, "/api/auth/me")).body).toMatchObject({ actor: "ivy", role: "operator" });
  });

  it("keeps a local account's name from being taken over by a provider person of the same name", async () => {
    expect((await api("POST", "/api/accounts", { username: "judy", password: "correct horse battery", role: "viewer" })).status).toBe(201);
    idp!.setPerson("sub-judy", { preferred_username: "judy", groups: ["kanade-admins"] });
    const walk = await browseSignIn(url("/api/auth/oidc/start"), "judy");
    expect(walk.status).toBe(403);
    expect(walk.text).toContain("already exists and was not made by single sign-on");
    expect(((await api("GET", "/api/accounts/judy")).body as AccountSummary).role).toBe("viewer");
  });

  // Last: it stops the provider.
  it("keeps sessions going while the provider cannot be reached (the break-glass case is the provider's outage)", async () => {
    idp!.setPerson("sub-kim", { preferred_username: "kim", groups: ["kanade-ops"] });
    const session = await signIn("kim");
    await idp!.close();
    // Past the refresh interval the re-check fails to reach the provider: the session goes on (checked again later).
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await as(session.token, "/api/auth/me")).body).toMatchObject({ actor: "kim", role: "operator" });
    expect((await as(session.token, "/api/jobs")).status).toBe(200);
    // Local accounts sign in without the provider.
    expect((await api("POST", "/api/auth/login", { username: "judy", password: "correct horse battery" })).status).toBe(200);
  });
});

describe("a backend without [oidc]", () => {
  const env = useBackendEnv();
  it("offers no SSO: the methods say so and the SSO routes answer 404", async () => {
    const methods = await fetch(`${env().backend.url}/api/auth/methods`);
    expect(await methods.json()).toEqual({ password: true });
    for (const path of ["/api/auth/oidc/start", "/api/auth/oidc/callback?code=a&state=b"]) {
      expect((await fetch(`${env().backend.url}${path}`, { redirect: "manual" })).status).toBe(404);
    }
    const handoff = await fetch(`${env().backend.url}/api/auth/oidc/handoff`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: "a".repeat(43) }) });
    expect(handoff.status).toBe(404);
  });
});
