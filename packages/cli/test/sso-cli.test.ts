/**
 * `kanade login --sso` against a real backend and a real OpenID Connect provider (oidc-provider on a free
 * loopback port): the CLI prints the URL and waits on its loopback listener; the test plays the browser
 * (fetch with a cookie jar through the provider's sign-in form), the CLI saves the session like `kanade
 * login`. A person in no mapped group gets the reason and exit 1; a backend without [oidc] says so.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browseSignIn, freePort, runCli, startNatsServer, startTestBackend, startTestIdp, tempDir, type BrowseResult, type NatsServer, type TempDir, type TestBackend, type TestIdp } from "@kanade/testkit";

let nats: NatsServer | undefined;
let idp: TestIdp | undefined;
let backend: TestBackend | undefined;
let plain: TestBackend | undefined;
let home: TempDir | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  idp = await startTestIdp({ redirectUris: [`${base}/api/auth/oidc/callback`] });
  backend = await startTestBackend(nats.url, {
    bindPort: port,
    oidc: {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      redirectBaseUrl: base,
      roleClaim: "groups",
      roles: { "kanade-ops": "operator" },
      usernameClaim: "preferred_username",
      scopes: "openid profile email offline_access",
      name: "Test IdP",
      refreshIntervalMs: 300_000,
    },
  });
  plain = await startTestBackend(nats.url);
  home = tempDir("kanade-cli-sso-");
});
afterAll(async () => {
  await plain?.close();
  await backend?.close();
  await idp?.close();
  await nats?.dispose();
  home?.remove();
});

/** Runs `kanade login --sso --no-browser` and signs in as `username` at the URL it prints, as a browser would. */
async function loginSso(username: string, backendUrl = backend!.url) {
  let printed = "";
  let browsed: Promise<BrowseResult> | undefined;
  const run = await runCli(["login", "--sso", "--no-browser"], {
    backendUrl,
    env: { XDG_CONFIG_HOME: home!.path },
    timeoutMs: 60_000,
    onStderr: (chunk) => {
      printed += chunk;
      const url = /^(http:\/\/\S+\/api\/auth\/oidc\/start\?\S+)$/m.exec(printed)?.[1];
      if (url && !browsed) browsed = browseSignIn(url, username);
    },
  });
  return { run, page: await browsed };
}

describe("kanade login --sso", () => {
  it("prints the URL, takes the session from the loopback redirect and saves it like kanade login", async () => {
    idp!.setPerson("sub-rita", { preferred_username: "rita", groups: ["kanade-ops"] });
    const { run, page } = await loginSso("rita");
    expect(run.stderr).toContain("sign in with Test IdP in your browser; if it does not open, open this URL:");
    expect(run.stderr).toMatch(/return_to=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fcallback&handoff_challenge=[A-Za-z0-9_-]{43}/);
    expect(run.code, run.stderr).toBe(0);
    expect(page?.status).toBe(200);
    expect(page?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?handoff=/);
    expect(page?.text).toContain("Signed in to kanade");
    const tokenFile = home!.join("kanade", "token");
    expect(run.stdout).toMatch(new RegExp(`^logged in as rita \\(operator\\) until \\S+\\ntoken saved to ${tokenFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`));
    const token = readFileSync(tokenFile, "utf8").trim();
    const me = await fetch(`${backend!.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ actor: "rita", role: "operator", kind: "account", must_change_password: false });
    // Later commands use the saved session.
    const list = await runCli(["job", "list"], { backendUrl: backend!.url, env: { XDG_CONFIG_HOME: home!.path } });
    expect(list.code, list.stderr).toBe(0);
  });

  it("reports a person in no mapped group with the reason, and exits 1", async () => {
    idp!.setPerson("sub-sam", { preferred_username: "sam", groups: ["marketing"] });
    const { run, page } = await loginSso("sam");
    expect(page?.text).toContain("Single sign-on failed");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no value of its "groups" claim (marketing) maps to a kanade role');
  });

  it("says when the backend offers no single sign-on", async () => {
    const run = await runCli(["login", "--sso", "--no-browser"], { backendUrl: plain!.url, env: { XDG_CONFIG_HOME: home!.path } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("does not offer single sign-on ([oidc] is not configured)");
  });

  it("refuses --sso with password flags", async () => {
    const run = await runCli(["login", "--sso", "--username", "x"], { backendUrl: backend!.url, env: { XDG_CONFIG_HOME: home!.path } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--sso signs in at the identity provider");
  });
});
