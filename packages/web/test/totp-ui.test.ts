/**
 * Two-factor sign-in in the browser, end to end: a real nats-server, the real backend serving the SPA built
 * from source, and Debian's chromium. An operator whose role requires TOTP signs in with a password, sees
 * only enrolment, scans (reads) the secret from the page, turns TOTP on with a code, gets recovery codes,
 * signs out, and signs in again with password and code.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { createApiClient, type ApiClient } from "@kanade/protocol";
import { startNatsServer, startTestBackend, tempDir, totpAt, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";
import { buildSpa, launch, requireChromium, shot } from "./browser.js";

const USER = { username: "wendy", password: "correct horse battery" };

describe("two-factor sign-in (chromium)", () => {
  let nats: NatsServer;
  let backend: TestBackend;
  let dir: TempDir;
  let ctx: BrowserContext;
  let page: Page;
  let api: ApiClient;

  beforeAll(async () => {
    requireChromium();
    dir = tempDir("kanade-web-totp-");
    await buildSpa(dir.join("dist"));
    nats = await startNatsServer();
    backend = await startTestBackend(nats.url, { webRoot: dir.join("dist") });
    api = createApiClient({ baseUrl: backend.url, token: backend.token, validateResponses: true });
    await api.call("createAccount", { body: { ...USER, role: "operator" } });
    await api.call("putTotpPolicy", { body: { required_roles: ["operator", "admin"] } });
    ctx = await launch(dir.join("chromium-profile"));
    page = ctx.pages()[0] ?? (await ctx.newPage());
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await backend?.close();
    await nats?.stop();
    dir?.remove();
  });

  const signInWithPassword = async (): Promise<void> => {
    const form = page.getByTestId("password-form");
    await form.locator('input[name="username"]').fill(USER.username);
    await form.locator('input[name="password"]').fill(USER.password);
    await form.getByRole("button", { name: "Sign in" }).click();
  };

  it("enrols on the page it is sent to, then signs out and in again with a code", { timeout: 90_000 }, async () => {
    await page.goto(backend.url);
    await signInWithPassword();
    // The role requires TOTP: nothing but enrolment until it is on.
    const section = page.getByTestId("totp-section");
    await section.getByText("Your role requires two-factor sign-in").waitFor();
    await section.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByTestId("totp-qr").getAttribute("src")).toMatch(/^data:image\/svg\+xml;base64,/);
    await shot(page, "totp-enrol", { docs: false });
    const enrol = page.getByTestId("totp-enrol");
    await enrol.locator('input[name="code"]').fill(totpAt(secret, new Date()));
    await enrol.getByRole("button", { name: "Turn on" }).click();
    const recovery = page.getByTestId("totp-recovery");
    await recovery.waitFor();
    const codes = ((await recovery.locator("pre").textContent()) ?? "").split("\n");
    expect(codes).toHaveLength(10);
    await recovery.getByRole("button", { name: "I saved them" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByTestId("whoami").textContent()).toBe("wendy operator");

    await page.getByRole("button", { name: "Sign out" }).click();
    await signInWithPassword();
    const codeForm = page.getByTestId("code-form");
    await codeForm.getByText("Enter the 6-digit code from the authenticator app for wendy").waitFor();
    const right = totpAt(secret, new Date(Date.now() + 30_000));
    await codeForm.locator('input[name="code"]').fill(right === "000000" ? "111111" : "000000");
    await codeForm.getByRole("button", { name: "Verify" }).click();
    await codeForm.getByText("Wrong, expired or already used code.").waitFor();
    // The next step's code: the one used to turn TOTP on is spent, and the window allows one step ahead.
    await codeForm.locator('input[name="code"]').fill(right);
    await codeForm.getByRole("button", { name: "Verify" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    await page.getByRole("link", { name: "Account" }).click();
    await page.getByTestId("totp-state").getByText("Recovery codes left: 10").waitFor();
    await shot(page, "account-totp", { docs: false });
  });
});
