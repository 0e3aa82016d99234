/**
 * The operator web UI end to end: a real nats-server, the real backend serving the SPA built from source,
 * three real agents, and Debian's chromium driven by playwright-core. Screenshots land in test-output/screenshots.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { createApiClient, pathFor, type ApiClient } from "@kanade/protocol";
import { startNatsServer, startTestBackend, startTestFleet, tempDir, waitFor, type NatsServer, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";
import { buildSpa, launch, requireChromium, shot } from "./browser.js";

const JOBS = new URL("../../../examples/jobs/", import.meta.url);
const jobYaml = (name: string): string => readFileSync(new URL(name, JOBS), "utf8");
const PCS = ["web-pc-1", "web-pc-2", "web-pc-3"];
const APPROVER = { username: "olga", password: "correct horse battery" };
const GUARDED_YAML = (): string =>
  jobYaml("hello.yaml").replace("id: hello", "id: guarded").replace(/^description: .*$/m, "description: Say hello, after a second operator approves\nrequire_approval: true");

describe("web UI (chromium)", () => {
  let nats: NatsServer;
  let backend: TestBackend;
  let fleet: TestFleet;
  let dir: TempDir;
  let ctx: BrowserContext;
  let page: Page;
  /** The test's own calls, through the same typed client (answers checked against the route table). */
  let api: ApiClient;

  beforeAll(async () => {
    requireChromium();
    dir = tempDir("kanade-web-e2e-");
    await buildSpa(dir.join("dist"));
    nats = await startNatsServer();
    backend = await startTestBackend(nats.url, { webRoot: dir.join("dist") });
    fleet = await startTestFleet(nats.url, PCS, { heartbeatIntervalMs: 2000 });
    api = createApiClient({ baseUrl: backend.url, token: backend.token, validateResponses: true });
    expect(await api.call("createJob", { body: jobYaml("long-running.yaml") })).toMatchObject({ id: "long-running" });
    ctx = await launch(dir.join("chromium-profile"));
    page = ctx.pages()[0] ?? (await ctx.newPage());
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await fleet?.close();
    await backend?.close();
    await nats?.stop();
    dir?.remove();
  });

  it("signs in with the token and shows 3 agents online", async () => {
    await page.goto(backend.url);
    await page.getByRole("heading", { name: "Sign in to kanade" }).waitFor();
    await shot(page, "sign-in");
    const tokenForm = page.getByTestId("token-form");
    await tokenForm.locator('input[name="token"]').fill("wrong-token");
    await tokenForm.getByRole("button", { name: "Sign in with token" }).click();
    await page.getByText("The backend refused this token.").waitFor();
    await tokenForm.locator('input[name="token"]').fill(backend.token);
    await tokenForm.getByRole("button", { name: "Sign in with token" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.getByTestId("whoami").textContent()).toBe("static-token admin");
    // The token stays in session storage and never appears in the URL.
    expect(page.url()).not.toContain(backend.token);
    await waitFor(async () => (await page.getByTestId("agents-online").textContent()) === "3", { what: "3 agents online", timeoutMs: 20_000 });
    await shot(page, "dashboard");

    await page.getByRole("link", { name: "Agents", exact: true }).click();
    await waitFor(async () => (await page.getByTestId("agent-row").count()) === 3, { what: "3 agent rows" });
    expect(await page.getByTestId("agents-count").textContent()).toBe("3 of 3 agents");
    await page.locator('input[name="q"]').fill("pc-2");
    await waitFor(async () => (await page.getByTestId("agent-row").count()) === 1, { what: "search narrows to one row" });
    await page.locator('input[name="q"]').fill("");
    await shot(page, "agents");
  });

  // NEEDS the perf stream (agent host_perf samples + `GET /api/agents/{pc}/perf/live` WebSocket) from the
  // fleet-performance issue: until that is merged this step fails by design; the rest of the suite does not depend on it.
  it("opens an agent and its live chart receives points [needs perf WebSocket]", async () => {
    await page.goto(`${backend.url}/agents/web-pc-1`);
    await page.getByRole("heading", { name: /web-pc-1/ }).waitFor();
    await page.getByRole("heading", { name: "Effective config" }).waitFor();
    await shot(page, "agent-detail");
    const points = async (): Promise<number> => Number(await page.getByTestId("chart-cpu").getAttribute("data-points"));
    const first = await waitFor(async () => (await points()) > 0 && points(), { what: "first perf point on the CPU chart", timeoutMs: 20_000 });
    await waitFor(async () => (await points()) > first, { what: "the live chart to receive another point", timeoutMs: 20_000 });
    expect(await page.getByTestId("perf-state").textContent()).toBe("live");
    await shot(page, "agent-detail");
  });

  it("creates hello from pasted YAML and runs it on two PCs from the Jobs page", async () => {
    await page.goto(`${backend.url}/jobs`);
    await page.locator('textarea[name="manifest"]').fill(jobYaml("hello.yaml"));
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved hello 1.0.0.").waitFor();
    await page.locator('[data-job="hello"]').waitFor();
    await page.locator('select[name="job"]').selectOption("hello");
    await page.locator('input[name="pc"][value="web-pc-1"]').check();
    await page.locator('input[name="pc"][value="web-pc-2"]').check();
    await shot(page, "jobs");
    await page.getByTestId("exec-form").getByRole("button", { name: "Run on 2 selected" }).click();
    // More than one PC: confirmed first, with the count and a button that says what it does.
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Run hello 1.0.0 on 2 PCs?").waitFor();
    await dialog.getByRole("button", { name: "Run on 2 PCs" }).click();
    await page.waitForURL(/\/activity\/[0-9a-f-]{36}$/);
    const row = (pc: string, status: string) => page.locator(`[data-testid="exec-row"][data-pc="${pc}"][data-status="${status}"]`);
    await row("web-pc-1", "succeeded").waitFor({ timeout: 30_000 });
    await row("web-pc-2", "succeeded").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("exec-row").count()).toBe(2);
    await shot(page, "execution");

    // The whole row opens the PC's result.
    await row("web-pc-1", "succeeded").click();
    await page.getByTestId("stdout").getByText("hello from").waitFor();
    expect(await page.getByTestId("exit-code").textContent()).toBe("0");
    await shot(page, "result");
  });

  it("runs long-running, kills it from Activity, finds it under the killed filter and revokes the job", async () => {
    const exec = await api.call("execJob", { params: { job_id: "long-running" }, body: { pcs: ["web-pc-3"] } });
    await page.goto(`${backend.url}/activity`);
    await page.locator(`tr[data-exec="${exec.exec_id}"] a`).first().click();
    const row = page.locator('[data-testid="exec-row"][data-pc="web-pc-3"]');
    await row.and(page.locator('[data-status="running"]')).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Kill", exact: true }).click();
    await page.getByRole("dialog").getByText(/Kill execution/).waitFor();
    await shot(page, "kill-confirm");
    await page.getByRole("dialog").getByRole("button", { name: "Kill on 1 PC" }).click();
    await page.getByText("Kill sent.").waitFor();
    await row.and(page.locator('[data-status="killed"]')).waitFor({ timeout: 30_000 });
    // The execution itself is in state killed, and the page says so.
    await page.locator('.badge[data-state="killed"]').first().waitFor();
    const detail = await api.call("getExecution", { params: { exec_id: exec.exec_id } });
    expect(detail.state).toBe("killed");
    expect(detail.rows?.map((r) => r.status)).toEqual(["killed"]);

    // Revoke job (confirmed) marks the job revoked on the backend.
    await page.getByRole("button", { name: "Revoke job" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke long-running" }).click();
    await page.getByText("long-running revoked.").waitFor();
    expect((await api.call("getJob", { params: { id: "long-running" } })).status).toBe("REVOKED");

    // The state filter lists killed executions only.
    await page.goto(`${backend.url}/activity`);
    await page.getByTestId("executions").waitFor();
    await shot(page, "activity");
    await page.locator('select[name="state"]').selectOption("killed");
    await page.waitForURL(/\/activity\?state=killed$/);
    await page.locator(`tr[data-exec="${exec.exec_id}"][data-state="killed"]`).waitFor();
    await waitFor(async () => (await page.locator('[data-testid="executions"] tbody tr:not([data-state="killed"])').count()) === 0, { what: "only killed executions listed" });
  });

  it("shows manifest validation errors beside their line", async () => {
    await page.goto(`${backend.url}/jobs`);
    const bad = ["id: broken", "version: 1.0.0", "execute:", "  shell: fish", "  script: echo hi", ""].join("\n");
    await page.locator('textarea[name="manifest"]').fill(bad);
    await page.getByRole("button", { name: "Save" }).click();
    const err = page.getByTestId("manifest-error");
    await err.waitFor();
    expect(await err.textContent()).toContain("L4: execute.shell");
    await page.locator('.yaml-editor .issue[data-line="4"]').waitFor();
    await shot(page, "jobs-invalid");
  });

  it("holds a require_approval run until a second operator, signed in with a password, approves it", async () => {
    expect(await api.call("createAccount", { body: { ...APPROVER, role: "operator" } })).toMatchObject({ username: APPROVER.username });
    expect(await api.call("createJob", { body: GUARDED_YAML() })).toMatchObject({ id: "guarded" });

    // Requested from the SPA with the static token: it waits, and the requester cannot approve it.
    await page.goto(`${backend.url}/jobs`);
    await page.locator('[data-job="guarded"]').waitFor();
    await page.locator('select[name="job"]').selectOption("guarded");
    await page.locator('input[name="pc"][value="web-pc-1"]').check();
    await page.getByTestId("exec-form").getByRole("button", { name: "Run on 1 selected" }).click();
    await page.waitForURL(/\/activity\/[0-9a-f-]{36}$/);
    const execId = page.url().split("/").pop() ?? "";
    await page.getByTestId("awaiting-approval").waitFor();
    // The requester cannot decide: Approve is disabled, and the one note says why.
    expect(await page.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(await page.getByTestId("approval-blocked").getAttribute("data-reason")).toBe("own");
    await page.getByText("You requested this execution: a different operator must approve or reject it.").waitFor();
    const pending = await api.call("getExecution", { params: { exec_id: execId } });
    expect(pending.state).toBe("pending_approval");
    expect(pending.rows?.map((r) => r.status)).toEqual(["pending"]);

    // Sign out, then in as the operator account; a wrong password first is refused readably.
    await page.getByRole("button", { name: "Sign out" }).click();
    const form = page.getByTestId("password-form");
    await form.locator('input[name="username"]').fill(APPROVER.username);
    await form.locator('input[name="password"]').fill("not the password");
    await form.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong username or password, or the account is disabled.").waitFor();
    await form.locator('input[name="password"]').fill(APPROVER.password);
    await form.getByRole("button", { name: "Sign in" }).click();
    // Signing in keeps the page that was open (the execution); the header says who is signed in.
    await page.getByTestId("awaiting-approval").waitFor();
    expect(await page.getByTestId("whoami").textContent()).toBe("olga operator");
    const session = await page.evaluate(() => window.sessionStorage.getItem("kanade.token"));
    expect(session).toMatch(/^ey/); // the account's JWT, kept like a pasted token
    expect(page.url()).not.toContain(session);

    // The dashboard figure leads to the filtered Activity list, and from there to the execution.
    await page.getByRole("link", { name: "Dashboard", exact: true }).click();
    await waitFor(async () => (await page.getByTestId("awaiting-approval-count").textContent()) === "1", { what: "1 execution waiting for approval" });
    await page.getByRole("link", { name: /Waiting for approval/ }).click();
    await page.waitForURL(/\/activity\?state=pending_approval$/);
    const listed = page.locator(`tr[data-exec="${execId}"][data-state="pending_approval"]`);
    await listed.getByText("Waiting for approval · PCs: 1").waitFor();
    expect(await page.getByTestId("executions").locator("tbody tr").count()).toBe(1);
    await shot(page, "activity-pending");
    await listed.locator("a").first().click();
    await page.getByTestId("awaiting-approval").waitFor();
    // The approver sees exactly what would run: the script and its content digest.
    expect(await page.getByTestId("approval-script").textContent()).toContain("echo");
    const shownDigest = (await page.getByTestId("approval-content").locator("code").textContent()) ?? "";
    expect(shownDigest).toMatch(/^[0-9a-f]{64}$/);
    await shot(page, "approval-pending");

    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("dialog").getByText(/Approve execution/).waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Approve and run on 1 PC" }).click();
    await page.getByText("Approved. The commands are on their way.").waitFor();
    const row = page.locator('[data-testid="exec-row"][data-pc="web-pc-1"]');
    await row.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    await page.getByTestId("awaiting-approval").waitFor({ state: "detached" });
    expect(await page.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await shot(page, "approval-approved");
    const approved = await api.call("getExecution", { params: { exec_id: execId } });
    expect(approved.issued_by).toBe("static-token");
    expect(approved.approval?.manifest_digest).toBe(shownDigest);
    expect(approved.rows?.map((r) => r.status)).toEqual(["succeeded"]);
  });

  it("switches to Japanese and shows the remaining pages without crashing", async () => {
    await page.goto(`${backend.url}/inventory`);
    await page.getByRole("heading", { name: "Inventory", exact: true }).waitFor();
    await page.locator('input[name="app"]').fill("7-Zip");
    await page.locator('input[name="app"]').press("Enter");
    // Either rows or the "no PC reports that application" note: never a blank page or an error.
    await page.locator("table, p.muted").first().waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    await shot(page, "inventory");
    await page.goto(`${backend.url}/perf`);
    await page.getByRole("heading", { name: /Fleet performance/ }).waitFor();
    await shot(page, "fleet-perf");
    await page.getByRole("combobox", { name: "Language" }).selectOption("ja");
    await page.getByRole("link", { name: "ダッシュボード" }).click();
    await page.getByRole("heading", { name: "ダッシュボード" }).waitFor();
    await shot(page, "dashboard-ja");
  });

  it("checks answers against the route table: a broken answer shows BAD_RESPONSE naming the field", async () => {
    // The real backend answers; its answer is altered on the way, as a backend of another version might send it.
    const agentsPath = pathFor("listAgents");
    const isAgentsList = (url: URL): boolean => url.pathname === agentsPath;
    await page.route(isAgentsList, async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as { items: Record<string, unknown>[] };
      body.items[0]!.online = "yes";
      await route.fulfill({ response: res, json: body });
    });
    try {
      await page.goto(`${backend.url}/agents`);
      const err = page.locator('[role="alert"][data-code="BAD_RESPONSE"]');
      await err.waitFor();
      expect(await err.textContent()).toContain("items.0.online");
      expect(await page.getByTestId("agent-row").count()).toBe(0);
    } finally {
      await page.unroute(isAgentsList);
    }
  });
});
