/**
 * Single sign-on with two backends on one database behind one address (issue 16's "no sticky sessions"), as
 * real processes configured by KANADE_OIDC_* alone: a sign-in started on one backend is finished by the
 * other (pending sign-ins and handoff codes are database rows, not process memory), and its handoff code
 * works once on either.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseSignIn, freePort, startNatsServer, startTestIdp, tempDir, type NatsServer, type TempDir, type TestIdp } from "@kanade/testkit";
import { startBackendProcess, type BackendProcess } from "./backend-process.js";

describe("single sign-on across two backends on one database", () => {
  let nats: NatsServer;
  let dir: TempDir;
  let idp: TestIdp;
  const backends: { a?: BackendProcess; b?: BackendProcess } = {};

  beforeAll(async () => {
    nats = await startNatsServer();
    dir = tempDir("kanade-sso-multi-");
    const ports = { a: await freePort(), b: await freePort() };
    // The provider returns to one address (the load balancer's); here it is backend b's.
    const base = `http://127.0.0.1:${ports.b}`;
    idp = await startTestIdp({ redirectUris: [`${base}/api/auth/oidc/callback`] });
    const env = {
      KANADE_NATS_URL: nats.url,
      DATABASE_URL: `sqlite://${dir.join("kanade.db")}`,
      KANADE_AUTH_JWT_SECRET: randomBytes(24).toString("base64url"),
      KANADE_OIDC_ISSUER: idp.issuer,
      KANADE_OIDC_CLIENT_ID: idp.clientId,
      KANADE_OIDC_CLIENT_SECRET: idp.clientSecret,
      KANADE_OIDC_REDIRECT_BASE_URL: base,
      KANADE_OIDC_ROLES: "kanade-ops=operator",
      KANADE_OIDC_NAME: "Corp SSO",
    };
    backends.a = await startBackendProcess(ports.a, env);
    backends.b = await startBackendProcess(ports.b, env);
  }, 120_000);

  afterAll(async () => {
    await backends.a?.kill("SIGTERM");
    await backends.b?.kill("SIGTERM");
    await idp?.close();
    await nats?.dispose();
    dir?.remove();
  });

  it("finishes on one backend a sign-in started on the other, and the handoff code works once on either", async () => {
    const a = backends.a!;
    const b = backends.b!;
    idp.setPerson("sub-tess", { preferred_username: "tess", groups: ["kanade-ops"] });
    const jar = new Map<string, Map<string, string>>();
    const atCallback = await browseSignIn(`${a.url}/api/auth/oidc/start`, "tess", { jar, stopAt: (u) => u.pathname === "/api/auth/oidc/callback" });
    expect(atCallback.location?.startsWith(`${b.url}/api/auth/oidc/callback?`)).toBe(true);
    // Browsers share cookies across ports of one host; behind one load-balanced name they are one origin anyway.
    jar.set(new URL(b.url).host, new Map(jar.get(new URL(a.url).host)));
    const landed = await browseSignIn(atCallback.location!, "tess", { jar, stopAt: (u) => u.pathname === "/sso" });
    const code = landed.location?.split("#handoff=")[1];
    expect(code, landed.text).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const take = (url: string) => fetch(`${url}/api/auth/oidc/handoff`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }) });
    const first = await take(a.url);
    expect(first.status).toBe(200);
    const session = (await first.json()) as { token: string; username: string; role: string };
    expect(session).toMatchObject({ username: "tess", role: "operator" });
    expect((await take(b.url)).status).toBe(400);
    const me = await fetch(`${b.url}/api/auth/me`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(await me.json()).toMatchObject({ actor: "tess", role: "operator", kind: "account" });
  });
});
