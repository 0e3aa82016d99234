/**
 * Single sign-on in the browser, end to end: a real OpenID Connect provider (oidc-provider on a free
 * loopback port), a real nats-server, the real backend serving the SPA built from source, and Debian's
 * chromium. The sign-in page shows "Sign in with <provider>"; the person signs in at the provider and lands
 * on the Dashboard with the role their group maps to; a person in no mapped group sees a page that says why;
 * a group removed at the provider ends the session at the next re-check. A backend without [oidc] shows no button.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { freePort, startNatsServer, startTestBackend, startTestIdp, tempDir, type NatsServer, type TempDir, type TestBackend, type TestIdp } from "@kanade/testkit";
import { buildSpa, launch, requireChromium, shot } from "./browser.js";

describe("single sign-on (chromium)", () => {
  let nats: NatsServer;
  let idp: TestIdp;
  let backend: TestBackend;
  let plain: TestBackend;
  let dir: TempDir;
  let ctx: BrowserContext;

  beforeAll(async () => {
    requireChromium();
    dir = tempDir("kanade-web-sso-");
    await buildSpa(dir.join("dist"));
    nats = await startNatsServer();
    // The provider redirects back to the backend, so the backend needs its address before it starts.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({ redirectUris: [`${base}/api/auth/oidc/callback`] });
    backend = await startTestBackend(nats.url, {
      webRoot: dir.join("dist"),
      bindPort: port,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectBaseUrl: base,
        roleClaim: "groups",
        roles: { "kanade-admins": "admin", "kanade-ops": "operator" },
        usernameClaim: "preferred_username",
        scopes: "openid profile email offline_access",
        name: "Contoso ID",
        refreshIntervalMs: 1_000,
      },
    });
    expect(backend.url).toBe(base);
    plain = await startTestBackend(nats.url, { webRoot: dir.join("dist") });
    ctx = await launch(dir.join("chromium-profile"));
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await plain?.close();
    await backend?.close();
    await idp?.close();
    await nats?.stop();
    dir?.remove();
  });

  /** A fresh tab (sessions are per tab) through the provider's sign-in form as `username`. */
  const signInAtProvider = async (username: string): Promise<Page> => {
    const page = await ctx.newPage();
    await page.goto(backend.url);
    await page.getByRole("button", { name: "Sign in with Contoso ID" }).click();
    await page.getByRole("heading", { name: "Test identity provider" }).waitFor();
    await page.locator('input[name="login"]').fill(username);
    await page.getByRole("button", { name: "Sign in" }).click();
    return page;
  };

  it("signs in through the provider and lands on the Dashboard with the role the group maps to", { timeout: 90_000 }, async () => {
    idp.setPerson("sub-olive", { preferred_username: "olive", email: "olive@example.com", groups: ["staff", "kanade-ops"] });
    const first = await ctx.newPage();
    await first.goto(backend.url);
    await first.getByTestId("sso-card").waitFor();
    await shot(first, "signin-sso");
    await first.close();

    const page = await signInAtProvider("olive");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const who = page.getByTestId("whoami");
    await who.getByText("olive").waitFor();
    expect(await who.locator("[data-role]").getAttribute("data-role")).toBe("operator");
    // The one-time code is not left in the address bar or history.
    expect(new URL(page.url()).hash).toBe("");
    expect(new URL(page.url()).pathname).toBe("/");
    await page.close();
  });

  it("shows a person in no mapped group a 403 page that says why", { timeout: 60_000 }, async () => {
    idp.setPerson("sub-paul", { preferred_username: "paul", groups: ["marketing"] });
    const page = await signInAtProvider("paul");
    const message = page.locator("#sso-error");
    await message.waitFor();
    expect(await message.getAttribute("data-code")).toBe("SSO_REFUSED");
    expect(await message.textContent()).toContain('no value of its "groups" claim (marketing) maps to a kanade role');
    await shot(page, "sso-refused", { docs: false });
    await page.close();
  });

  it("ends the session once the person's group is removed at the provider", { timeout: 60_000 }, async () => {
    idp.setPerson("sub-quinn", { preferred_username: "quinn", groups: ["kanade-admins"] });
    const page = await signInAtProvider("quinn");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    idp.setPerson("sub-quinn", { preferred_username: "quinn", groups: [] });
    // Past the refresh interval (1s here), the next request makes the backend ask the provider again.
    await page.waitForTimeout(1_500);
    await page.locator("header.topbar nav").getByRole("link", { name: "Agents", exact: true }).click();
    await page.getByText("Your session ended or the token is no longer accepted. Sign in again.").waitFor();
    await page.getByRole("button", { name: "Sign in with Contoso ID" }).waitFor();
    await page.close();
  });

  it("shows no SSO button when the backend has no [oidc]", { timeout: 60_000 }, async () => {
    const page = await ctx.newPage();
    const methods = page.waitForResponse((r) => r.url().endsWith("/auth/methods"));
    await page.goto(plain.url);
    expect(await (await methods).json()).toEqual({ password: true });
    await page.getByTestId("password-form").waitFor();
    expect(await page.getByTestId("sso-card").count()).toBe(0);
    await page.close();
  });
});
