/**
 * Sessions that end, against a real backend, nats-server and SQLite: logout, password change and reset,
 * disable/enable, role change, delete + re-create of a name, tokens without `exp`, live WebSockets of an
 * ended session, case-insensitive and reserved account names, unknown /api paths, short static tokens.
 */
import { writeFileSync } from "node:fs";
import { SignJWT, decodeJwt } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { AccountSummary, Identity, LoginResponse } from "@kanade/protocol";
import { tempDatabase, tempDir } from "@kanade/testkit";
import { startBackend } from "../src/index.js";
import { quietLog, useBackendEnv } from "./helpers.js";
import { requestFrom } from "./request-from.js";

type ErrBody = { error: { code: string; message: string; details?: { path: string; message: string }[] } };
const PASSWORD = "correct horse battery";
const JWT_SECRET = "sessions-test-secret-0123456789";
const web = tempDir("kanade-web-");
writeFileSync(web.join("index.html"), "<!doctype html><title>kanade</title>");
afterAll(() => web.remove());

describe("sessions", () => {
  const env = useBackendEnv({ jwtSecret: JWT_SECRET, webRoot: web.path });
  /** Every request of this file comes from its own loopback address, so no other test's throttle state applies. */
  const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
    requestFrom("127.0.0.21", env().backend.url, method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  const admin = (method: string, path: string, body?: unknown) => env().backend.api(method, path, body);
  const login = async (username: string, password = PASSWORD): Promise<string> => {
    const r = await call(undefined, "POST", "/api/auth/login", { username, password });
    expect(r.status, `login ${username}: ${r.text}`).toBe(200);
    return (r.body as LoginResponse).token;
  };
  const createAccount = async (username: string, role: "viewer" | "operator" | "admin"): Promise<void> => {
    expect((await admin("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
  };
  const status = async (token: string, path = "/api/jobs"): Promise<number> => (await call(token, "GET", path)).status;

  it("logout ends the caller's session on the server; the token is refused afterwards", async () => {
    await createAccount("lena", "viewer");
    const token = await login("lena");
    const other = await login("lena");
    expect(await status(token)).toBe(200);
    const out = await call(token, "POST", "/api/auth/logout");
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ended: true });
    expect(await status(token)).toBe(401);
    expect((await call(token, "POST", "/api/auth/logout")).status).toBe(401);
    // Only that session ended: the same account's other login still works.
    expect(await status(other)).toBe(200);
    // The static token is not a session: nothing to end (400), and it keeps working.
    const notASession = await admin("POST", "/api/auth/logout");
    expect(notASession.status).toBe(400);
    expect((notASession.body as ErrBody).error.message).toMatch(/"static-token" is not a login session/);
    expect((await admin("GET", "/api/jobs")).status).toBe(200);
  });

  it("a password change ends every session of the account and answers with a fresh one", async () => {
    await createAccount("paul", "operator");
    const first = await login("paul");
    const second = await login("paul");
    const changed = await call(first, "POST", "/api/auth/password", { current_password: PASSWORD, new_password: "a brand new password" });
    expect(changed.status).toBe(200);
    expect(await status(first)).toBe(401);
    expect(await status(second)).toBe(401);
    expect(await status((changed.body as LoginResponse).token)).toBe(200);
  });

  it("an admin's password reset, a disable and an enable, and a role change each end the account's sessions", async () => {
    await createAccount("rita", "operator");
    const beforeReset = await login("rita");
    expect((await admin("PATCH", "/api/accounts/rita", { password: "temporary password", must_change_password: false })).status).toBe(200);
    expect(await status(beforeReset)).toBe(401);

    const beforeDisable = await login("rita", "temporary password");
    expect((await admin("PATCH", "/api/accounts/rita", { disabled: true })).status).toBe(200);
    expect((await admin("PATCH", "/api/accounts/rita", { disabled: false })).status).toBe(200);
    // Enabled again, but the session from before the disable stays ended.
    expect(await status(beforeDisable)).toBe(401);

    const beforeDemotion = await login("rita", "temporary password");
    expect((await admin("PATCH", "/api/accounts/rita", { role: "viewer" })).status).toBe(200);
    expect(await status(beforeDemotion)).toBe(401);
    const fresh = await login("rita", "temporary password");
    expect((await call(fresh, "GET", "/api/auth/me")).body).toMatchObject({ actor: "rita", role: "viewer" });

    const audited = await admin("GET", "/api/audit?action=account.update&target=rita&limit=10");
    expect(audited.status).toBe(200);
  });

  it("a deleted account's token does not come back when the name is created again, even as admin", async () => {
    await createAccount("dora", "operator");
    const old = await login("dora");
    expect((await admin("DELETE", "/api/accounts/dora")).status).toBe(200);
    await createAccount("dora", "admin");
    expect(await status(old, "/api/accounts")).toBe(401);
    expect(await status(old)).toBe(401);
    expect(await status(await login("dora"), "/api/accounts")).toBe(200);
  });

  it("refuses a correctly signed token for a live session when it has no expiry", async () => {
    await createAccount("nora", "admin");
    const real = await login("nora");
    const { jti } = decodeJwt(real);
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("nora")
      .setJti(String(jti))
      .setIssuer("kanade-backend")
      .setAudience("kanade-api")
      .setIssuedAt()
      .sign(new TextEncoder().encode(JWT_SECRET));
    expect(await status(real)).toBe(200);
    const r = await call(noExp, "GET", "/api/accounts");
    expect(r.status).toBe(401);
    expect((r.body as ErrBody).error.code).toBe("UNAUTHORIZED");
  });

  it("closes an open live-perf WebSocket within about a second of a logout or a disable", async () => {
    await createAccount("wanda", "viewer");
    const closed = async (end: (token: string) => Promise<unknown>): Promise<{ code: number; reason: string }> => {
      const token = await login("wanda");
      const ws = new WebSocket(`${env().backend.url.replace(/^http/, "ws")}/api/perf/fleet/live`, [], {
        headers: { authorization: `Bearer ${token}` },
        localAddress: "127.0.0.21",
      });
      const result = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      });
      await end(token);
      return result;
    };
    expect(await closed((token) => call(token, "POST", "/api/auth/logout"))).toEqual({ code: 4401, reason: "session ended; sign in again" });
    expect(await closed(() => admin("PATCH", "/api/accounts/wanda", { disabled: true }))).toMatchObject({ code: 4401 });
  });

  it("treats account names the same whatever their case, and reserves the names the system acts as", async () => {
    await createAccount("Alice", "operator");
    const twin = await admin("POST", "/api/accounts", { username: "alice", password: PASSWORD, role: "admin" });
    expect(twin.status).toBe(409);
    expect((twin.body as ErrBody).error.message).toMatch(/Account "alice" already exists \(as "Alice"/);
    const r = await call(undefined, "POST", "/api/auth/login", { username: "ALICE", password: PASSWORD });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: "Alice", role: "operator" });
    expect(((await call((r.body as LoginResponse).token, "GET", "/api/auth/me")).body as Identity).actor).toBe("Alice");
    expect(((await admin("GET", "/api/accounts/aLiCe")).body as AccountSummary).username).toBe("Alice");

    for (const name of ["static-token", "anonymous", "System"]) {
      const res = await admin("POST", "/api/accounts", { username: name, password: PASSWORD, role: "admin" });
      expect(res.status, name).toBe(400);
      expect((res.body as ErrBody).error.details?.[0]?.path).toBe("username");
      expect((res.body as ErrBody).error.message).toMatch(/is reserved/);
    }
  });

  it("an admin cannot delete or demote their own account under another spelling", async () => {
    await createAccount("Greta", "admin");
    const token = await login("greta");
    expect((await call(token, "DELETE", "/api/accounts/GRETA")).status).toBe(409);
    expect((await call(token, "PATCH", "/api/accounts/greta", { role: "viewer" })).status).toBe(409);
  });

  it("answers unknown /api paths with 401 without a token and 404 with one, like real routes", async () => {
    for (const [method, path] of [["GET", "/api/no-such-route"], ["GET", "/%61pi/no-such-route"], ["GET", "//api/jobs-but-not"], ["POST", "/api/no-such-route"], ["DELETE", "/api/nothing/here"]] as const) {
      const anon = await call(undefined, method, path);
      expect(anon.status, `${method} ${path} without a token`).toBe(401);
      const known = await admin(method, path);
      expect(known.status, `${method} ${path} with a token`).toBe(404);
    }
    expect((await call(undefined, "GET", "/")).status).toBe(200);
    expect((await call(undefined, "GET", "/agents/pc-1")).status).toBe(200);
  });

  it("refuses a static token shorter than 32 characters at start, before connecting to anything", async () => {
    const db = tempDatabase();
    try {
      const config = { bindHost: "127.0.0.1", bindPort: 0, natsUrl: env().server.url, databaseUrl: db.url, logLevel: "silent", authDisabled: false };
      await expect(startBackend({ ...config, staticToken: "only-twenty-chars-xx" }, { log: quietLog() })).rejects.toThrow(
        /^KANADE_AUTH_STATIC_TOKEN: the static token must be at least 32 characters \(it has 20\)/,
      );
    } finally {
      db.remove();
    }
  });
});
