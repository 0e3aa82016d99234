/**
 * kanade-client end to end: a real nats-server, backend and agent (KLP on, its own socket dir), the real
 * kanade-client process, and Debian's chromium driven by playwright-core against the client's loopback UI.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startNatsServer, startTestBackend, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";
import { SELF_UID, startKlpAgent, type KlpAgent } from "../../agent/test/klp-harness.js";
import { buildSpa, openSignedIn, shot as webShot } from "../../web/test/browser.js";

const BIN = fileURLToPath(new URL("../bin/kanade-client.js", import.meta.url));
const CHROMIUM = process.env.KANADE_CHROMIUM_BIN ?? "/usr/bin/chromium";
const SHOTS = fileURLToPath(new URL("../../../test-output/screenshots/", import.meta.url));
const PC = "client-pc";
const ME = `uid:${SELF_UID}`;
const inAnHour = (): string => new Date(Date.now() + 3_600_000).toISOString();
const job = (id: string, description: string, script: string, invokable: boolean) => ({
  id, version: "1.0.0", description, execute: { shell: "sh", script, timeout: "120s" }, client: { user_invokable: invokable },
});

let nats: NatsServer;
let backend: TestBackend;
let agent: KlpAgent;
let client: ChildProcessWithoutNullStreams;
let launchUrl: string;
let base: string;
let dir: TempDir;
let ctx: BrowserContext;
let page: Page;

/** A raw HTTP request (fetch may not set Host), for the refusal checks. */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

const shot = async (name: string): Promise<void> => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium, or set KANADE_CHROMIUM_BIN`);
  dir = tempDir("kanade-client-e2e-");
  nats = await startNatsServer();
  // The backend serves the operator web UI too: the support bundle is followed to the operator's page.
  await buildSpa(dir.join("web-dist"));
  backend = await startTestBackend(nats.url, { webRoot: dir.join("web-dist") });
  for (const j of [
    // Prints two lines, then waits for the test to say "go" (a file), then prints a last one: the lines must show while it runs.
    job("clear-teams-cache", "Clear the Teams cache", `echo "clearing step 1"\nsleep 1\necho "clearing step 2" >&2\nwhile [ ! -f '${dir.join("go")}' ]; do sleep 0.2; done\necho "all done"`, true),
    job("long-fix", "A fix that takes a while", "echo started\nsleep 60", true),
    job("admin-only", "Not for users", "echo admin", false),
  ]) expect((await backend.api("POST", "/api/jobs", j)).status).toBe(201);
  agent = await startKlpAgent(nats.url, PC, []);
  client = spawn(process.execPath, [BIN, "--no-open", "--socket", agent.socketOf(SELF_UID)]);
  client.stderr.resume();
  launchUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: client.stdout }).once("line", resolve);
    client.once("exit", (code) => reject(new Error(`kanade-client exited with ${code}`)));
  });
  expect(launchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/launch\?token=[A-Za-z0-9_-]{43}$/);
  base = new URL(launchUrl).origin;
  ctx = await chromium.launchPersistentContext(dir.join("profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 900, height: 680 },
    locale: "en-US",
    colorScheme: "light",
  });
  page = ctx.pages()[0] ?? (await ctx.newPage());
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  if (client && client.exitCode === null) {
    const exited = new Promise((r) => client.once("exit", r));
    client.kill("SIGTERM");
    await exited;
  }
  await agent?.stop();
  await backend?.close();
  await nats?.dispose();
  dir?.remove();
});

describe("kanade-client (chromium)", () => {
  it("refuses requests without the token, with a wrong one, or from a foreign Host or Origin", async () => {
    expect(await raw("/")).toMatchObject({ status: 401 });
    expect((await raw("/api/events")).status).toBe(401);
    expect((await raw("/launch?token=not-the-token")).status).toBe(401);
    const port = new URL(base).port;
    const rebound = await raw("/", { headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body).error.message).toMatch(/^host:/);
    const csrf = await raw("/api/call/support.upload_diagnostics", { method: "POST", headers: { origin: "http://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(csrf.status).toBe(403);
    expect(JSON.parse(csrf.body).error.message).toMatch(/^origin:/);
    // Still usable: the wrong attempts did not burn the launch token.
  });

  it("opens on the launch URL, trades the token for a cookie, and shows the agent on Home", async () => {
    await page.goto(launchUrl);
    expect(page.url()).toBe(`${base}/`);
    await waitFor(async () => (await page.getByTestId("agent-status").textContent()) === "Agent connected", { what: "agent connected" });
    await waitFor(async () => (await page.getByTestId("pc-id").textContent()) === PC, { what: "the PC id" });
    expect(await page.getByTestId("os-user").textContent()).toBe(ME);
    // The agent echoes the version this client sent in its KLP handshake.
    await waitFor(async () => (await page.getByTestId("client-version").textContent()) === "0.1.0", { what: "the client version from state.snapshot" });
    const cookies = await ctx.cookies(base);
    expect(cookies).toEqual([expect.objectContaining({ name: "kanade_client_session", httpOnly: true, sameSite: "Strict" })]);
    // The token was good once: a second visit with it is refused, even from the same browser.
    expect((await raw(new URL(launchUrl).pathname + new URL(launchUrl).search)).status).toBe(401);
    // A request carrying the session cookie but a foreign Origin is still refused.
    const cookie = `${cookies[0]?.name}=${cookies[0]?.value}`;
    expect((await raw("/api/call/state.snapshot", { method: "POST", headers: { cookie, origin: "http://evil.example" }, body: "{}" })).status).toBe(403);
    const bad = await raw("/api/call/jobs.execute", { method: "POST", headers: { cookie, origin: base, "content-type": "application/json" }, body: JSON.stringify({ job_id: "Not An Id!" }) });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/^job_id:/);
    expect((await raw("/api/call/system.handshake", { method: "POST", headers: { cookie, origin: base }, body: "{}" })).status).toBe(404);
    // Operators see which client this PC runs: the agent reports the handshake's version in a heartbeat.
    await waitFor(async () => ((await backend.api<{ client_version?: string | null }>("GET", `/api/agents/${PC}`)).body.client_version === "0.1.0" ? true : undefined), { what: "client_version in the agent detail", timeoutMs: 20_000 });
    await page.getByRole("tab", { name: "Updates" }).click();
    await page.getByTestId("updates-none").waitFor();
    await page.getByRole("tab", { name: "Home" }).click();
    await shot("client-home");
  });

  it("an emergency notice opens a modal that only an explicit acknowledgement closes; the ack reaches the API", async () => {
    const notice = { id: "fire-drill", priority: "emergency", require_ack: true, title: "Fire drill at 14:00", body: "Leave by the **east** stairs.", expires_at: inAnHour(), target: { pcs: [PC] } };
    expect((await backend.api("POST", "/api/notifications", notice)).status).toBe(201);
    const modal = page.getByTestId("emergency-modal");
    await modal.waitFor({ state: "visible", timeout: 30_000 });
    expect(await modal.getByRole("heading").textContent()).toBe("Fire drill at 14:00");
    // The Markdown body is rendered (bold), from text nodes only.
    expect(await modal.locator("strong").textContent()).toBe("east");
    await shot("client-emergency");
    await page.keyboard.press("Escape");
    expect(await modal.isVisible()).toBe(true);
    const before = await backend.api<{ rows: { state: string }[] }>("GET", "/api/notifications/fire-drill/ack_status");
    expect(before.body.rows.some((r) => r.state === "acknowledged")).toBe(false);
    await modal.getByRole("button", { name: "I have read this" }).click();
    await modal.waitFor({ state: "hidden" });
    const status = await waitFor(async () => {
      const s = await backend.api<{ rows: { pc_id: string; user: string | null; state: string; acked_at: string | null }[] }>("GET", "/api/notifications/fire-drill/ack_status");
      return s.body.rows.find((r) => r.state === "acknowledged");
    }, { what: "the ack in ack_status", timeoutMs: 20_000 });
    expect(status).toMatchObject({ pc_id: PC, user: ME, state: "acknowledged", acked_at: expect.any(String) });
    await page.getByRole("tab", { name: "Notices" }).click();
    await page.getByTestId("notice").filter({ hasText: "Fire drill" }).getByTestId("acked").waitFor();
  });

  it("a require_ack notice has an Acknowledge button", async () => {
    const notice = { id: "vpn-window", priority: "warning", require_ack: true, title: "VPN maintenance", body: "Tonight <img src=x onerror=alert(1)> 22:00.", expires_at: inAnHour(), target: { all: true } };
    expect((await backend.api("POST", "/api/notifications", notice)).status).toBe(201);
    const card = page.getByTestId("notice").filter({ hasText: "VPN maintenance" });
    await card.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("emergency-modal").isVisible()).toBe(false);
    // Markup in a notice is shown as text, never parsed.
    expect(await card.locator("img").count()).toBe(0);
    expect(await card.textContent()).toContain("<img src=x onerror=alert(1)>");
    await card.getByRole("button", { name: "Acknowledge" }).click();
    await card.getByTestId("acked").waitFor();
    await shot("client-notices");
  });

  it("the catalog lists only user-invokable jobs; a run's progress streams live, and the user can stop their own run", async () => {
    await page.getByRole("tab", { name: "Catalog" }).click();
    const jobs = page.getByTestId("catalog-job");
    await waitFor(async () => (await jobs.count()) === 2, { what: "two catalog jobs" });
    expect(await page.getByTestId("catalog-job").filter({ hasText: "admin-only" }).count()).toBe(0);
    const teams = jobs.filter({ hasText: "clear-teams-cache" });
    await teams.getByRole("button", { name: "Run" }).click();
    const progress = teams.getByTestId("job-progress");
    await progress.waitFor();
    await waitFor(async () => (await progress.getAttribute("data-state")) === "running", { what: `the run running (shows "${await progress.textContent()}")`, timeoutMs: 30_000 });
    // Its output streams in while it runs: the script cannot end before the test creates the "go" file.
    const output = teams.getByTestId("job-output");
    await waitFor(async () => ((await output.count()) > 0 && (await output.textContent())?.includes("clearing step 2")) || undefined, { what: "both lines in the output while the run is going", timeoutMs: 30_000 });
    expect(await output.textContent()).toBe("clearing step 1\nclearing step 2\n");
    expect(await progress.getAttribute("data-state")).toBe("running");
    await shot("client-catalog-running");
    writeFileSync(dir.join("go"), "");
    await waitFor(async () => (await progress.getAttribute("data-state")) === "finished", { what: "the run finished", timeoutMs: 30_000 });
    expect(await progress.textContent()).toContain("succeeded, exit 0");
    expect(await output.textContent()).toBe("clearing step 1\nclearing step 2\nall done\n");
    // The same output on the Troubleshoot tab, and from the agent after a reload (jobs.output).
    await page.reload();
    await page.getByRole("tab", { name: "Troubleshoot" }).click();
    const cookie = (await ctx.cookies(base)).map((c) => `${c.name}=${c.value}`).join("; ");
    const runs = JSON.parse((await raw("/api/call/jobs.list", { method: "POST", headers: { cookie, origin: base, "content-type": "application/json" }, body: "{}" })).body).result.runs as { exec_id: string; job_id: string }[];
    const execId = runs.find((r) => r.job_id === "clear-teams-cache")?.exec_id ?? "";
    const fetched = JSON.parse((await raw("/api/call/jobs.output", { method: "POST", headers: { cookie, origin: base, "content-type": "application/json" }, body: JSON.stringify({ exec_id: execId }) })).body);
    expect(fetched.result).toEqual({ exec_id: execId, stdout: "clearing step 1\nall done\n", stderr: "clearing step 2\n", truncated: false });
    await page.getByRole("tab", { name: "Catalog" }).click();

    await jobs.filter({ hasText: "long-fix" }).getByRole("button", { name: "Run" }).click();
    await page.getByRole("tab", { name: "Troubleshoot" }).click();
    const run = page.getByTestId("run").filter({ hasText: "long-fix" });
    await waitFor(async () => (await run.getAttribute("data-state")) === "running", { what: "long-fix running", timeoutMs: 30_000 });
    await run.getByRole("button", { name: "Stop" }).click();
    await waitFor(async () => (await run.getAttribute("data-state")) === "finished", { what: "long-fix stopped", timeoutMs: 30_000 });
    expect(await run.getByTestId("run-state").textContent()).not.toContain("succeeded");
    await shot("client-troubleshoot");
  });

  it("a support bundle reaches the operator and the user sees its reference", async () => {
    await page.getByRole("tab", { name: "Support" }).click();
    await page.locator('textarea[name="note"]').fill("Teams keeps freezing");
    await page.getByRole("button", { name: "Send support bundle" }).click();
    const result = page.getByTestId("support-result");
    await waitFor(async () => (await result.getAttribute("data-bundle-id")) ?? undefined, { what: "a bundle id", timeoutMs: 30_000 });
    const id = await result.getAttribute("data-bundle-id");
    expect(await result.textContent()).toContain(id);
    const list = await backend.api<{ items: { id: string; pc_id: string; user: string; note: string | null }[] }>("GET", `/api/support-bundles?pc_id=${PC}`);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id, pc_id: PC, user: ME, note: "Teams keeps freezing" }));
    await shot("client-support");

    // The operator finds it on the web UI's Support page, filtered to this PC, reads it and downloads it.
    const op = await openSignedIn(dir.join("operator-profile"), backend.url, backend.token);
    try {
      await op.page.getByRole("link", { name: "Support" }).click();
      await op.page.getByRole("heading", { name: "Support bundles" }).waitFor();
      const filter = op.page.getByRole("textbox", { name: "PC (pc_id)" });
      await filter.fill(PC);
      await filter.press("Enter");
      const row = op.page.getByTestId("support-bundles").locator(`tbody tr[data-id="${id}"]`);
      await row.waitFor({ timeout: 20_000 });
      expect(await row.textContent()).toContain("Teams keeps freezing");
      expect(await row.textContent()).toContain(ME);
      await row.getByRole("button").click();
      const detail = op.page.getByTestId("support-bundle-detail");
      expect(await detail.getByTestId("support-note").textContent()).toBe("Teams keeps freezing");
      await detail.getByTestId("support-log").waitFor();
      expect(await detail.getByTestId("support-log").textContent()).toContain("agent ready");
      await webShot(op.page, "support-bundles");
      const [download] = await Promise.all([op.page.waitForEvent("download"), detail.getByRole("button", { name: "Download JSON" }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^support-${PC}-\\d{8}-\\d{6}-${id?.slice(0, 8)}\\.json$`));
      const saved = dir.join("bundle.json");
      await download.saveAs(saved);
      expect(JSON.parse(readFileSync(saved, "utf8"))).toMatchObject({ id, pc_id: PC, user: ME, note: "Teams keeps freezing", bundle: { state: { pc_id: PC } } });
    } finally {
      await op.ctx.close();
    }
  });

  it("speaks Japanese and goes dark", async () => {
    await page.getByTestId("lang-toggle").click();
    await page.getByTestId("theme-toggle").click();
    await page.getByRole("tab", { name: "ホーム" }).click();
    expect(await page.getByTestId("agent-status").textContent()).toBe("エージェント接続中");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await shot("client-home-ja-dark");
  });
});
