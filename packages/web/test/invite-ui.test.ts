/**
 * Invitations and password reset in the browser, end to end: a real nats-server, the real backend serving
 * the SPA built from source and mailing through a local SMTP sink, and Debian's chromium. An admin invites
 * from the account page, the invitee opens the mailed link, picks a username and password and signs in; the
 * link is then void. The invitee forgets the password, asks for a link, sets a new one and signs in with it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { freePort, linkIn, startNatsServer, startSmtpSink, startTestBackend, tempDir, type NatsServer, type SmtpSink, type TempDir, type TestBackend } from "@kanade/testkit";
import { buildSpa, openSignedIn, requireChromium, shot } from "./browser.js";

describe("invitations and password reset (chromium)", () => {
  let nats: NatsServer;
  let sink: SmtpSink;
  let backend: TestBackend;
  let dir: TempDir;
  let ctx: BrowserContext;
  let admin: Page;

  beforeAll(async () => {
    requireChromium();
    dir = tempDir("kanade-web-invite-");
    await buildSpa(dir.join("dist"));
    nats = await startNatsServer();
    sink = await startSmtpSink();
    // The links in mail point at the web UI, so the backend needs its address before it starts.
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    backend = await startTestBackend(nats.url, {
      webRoot: dir.join("dist"),
      bindPort: port,
      smtp: { host: sink.host, port: sink.port, security: "none", from: "kanade@example.com", publicUrl },
    });
    expect(backend.url).toBe(publicUrl);
    ({ ctx, page: admin } = await openSignedIn(dir.join("chromium-profile"), backend.url, backend.token));
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await backend?.close();
    await sink?.close();
    await nats?.stop();
    dir?.remove();
  });

  it("an admin invites from the account page; the invitee accepts from the mailed link and signs in", { timeout: 90_000 }, async () => {
    await admin.goto(`${backend.url}/account`);
    const section = admin.getByTestId("invitations-section");
    await section.locator('input[name="email"]').fill("nina@example.com");
    await section.locator('select[name="role"]').selectOption("operator");
    await section.getByRole("button", { name: "Send invitation" }).click();
    await section.getByText("Invitation mailed to nina@example.com.").waitFor();
    await section.locator('tr[data-state="pending"]').getByText("nina@example.com").waitFor();

    const link = linkIn(await sink.next("nina@example.com"), `${backend.url}/invite`);
    // A fresh tab: nobody signed in there (sessions are per tab).
    const page = await ctx.newPage();
    await page.goto(link);
    const form = page.getByTestId("invite-accept");
    await form.getByText("An account for nina@example.com with the role operator").waitFor();
    await form.locator('input[name="username"]').fill("nina");
    await form.locator('input[name="new_password"]').fill("correct horse battery");
    await form.locator('input[name="repeat_password"]').fill("correct horse battery");
    await shot(page, "invite-accept", { docs: false });
    await form.getByRole("button", { name: "Create my account" }).click();
    await page.getByTestId("invite-done").getByText("The account nina is ready").waitFor();
    await page.getByRole("link", { name: "Go to sign-in" }).click();

    const signIn = page.getByTestId("password-form");
    await signIn.locator('input[name="username"]').fill("nina");
    await signIn.locator('input[name="password"]').fill("correct horse battery");
    await signIn.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByTestId("whoami").textContent()).toBe("nina operator");

    // The link is spent.
    await page.goto(link);
    await page.getByText("This link has expired, was already used or was revoked").waitFor();
    await admin.reload();
    await admin.getByTestId("invitations-section").locator('tr[data-state="used"]').getByText("nina@example.com").waitFor();
  });

  it("a forgotten password: ask for a link on the sign-in page, set a new one, sign in with it", { timeout: 90_000 }, async () => {
    const page = await ctx.newPage();
    await page.goto(backend.url);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    const request = page.getByTestId("reset-request");
    await request.locator('input[name="who"]').fill("nina");
    await request.getByRole("button", { name: "Mail me a link" }).click();
    await request.getByText("a link is on its way").waitFor();

    const link = linkIn(await sink.next("nina@example.com"), `${backend.url}/reset-password`);
    await page.goto(link);
    const form = page.getByTestId("reset-complete");
    await form.locator('input[name="new_password"]').fill("a whole new passphrase");
    await form.locator('input[name="repeat_password"]').fill("a whole new passphrase");
    await form.getByRole("button", { name: "Change password" }).click();
    await form.getByText("The password of nina is changed").waitFor();
    await page.getByRole("link", { name: "Go to sign-in" }).click();
    const signIn = page.getByTestId("password-form");
    await signIn.locator('input[name="username"]').fill("nina");
    await signIn.locator('input[name="password"]').fill("a whole new passphrase");
    await signIn.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  });
});
