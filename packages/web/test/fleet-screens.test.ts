/**
 * The operator's screens at fleet scale, in headless Chromium: a real backend and nats-server, three real
 * agents and 40 simulated ones, 16 of which go offline with their last perf sample left behind. Each step is
 * one fix of issue 20: confirmations that name the count, selections that never hide, triage of a big
 * execution, readable charts in both themes, stale data that never looks live, ids that copy to the CLI,
 * one status vocabulary, approvals on an auth-off sandbox, inventory that reads like inventory, a 390 px
 * phone, the Jobs page, Japanese pages and contrast. Screenshots land in test-output/screenshots (and
 * docs/operator/img with KANADE_UPDATE_DOCS_IMG=1).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { startSimulatedFleet, type SimulatedFleet } from "@kanade/agent";
import { createApiClient, shortId, subjects, type ApiClient } from "@kanade/protocol";
import {
  runCli,
  sampleSoftware,
  startNatsServer,
  startTestBackend,
  startTestFleet,
  tempDir,
  testCommandKeys,
  testLogger,
  waitFor,
  type NatsServer,
  type TempDir,
  type TestBackend,
  type TestFleet,
} from "@kanade/testkit";
import { buildSpa, launch, requireChromium, shot } from "./browser.js";

const REAL = ["fs-pc-1", "fs-pc-2", "fs-pc-3"];
const TOTAL = 3 + 24 + 16;
const ECHO_JOB = "id: echo-hello\nversion: 1.0.0\ndescription: Say hello (simulated agents run it too)\nexecute:\n  shell: sh\n  script: |\n    echo hello\n  timeout: 30s\n";
// Real agents fail it with a line on stderr; simulated ones skip it (they run only echo scripts).
const FAILING_JOB = 'id: check-access\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: |\n    echo "checking $KANADE_PC_ID"\n    echo "Access is denied." >&2\n    exit 3\n  timeout: 30s\n';
const GUARDED_JOB = ECHO_JOB.replace("id: echo-hello", "id: guarded-hello").replace("  timeout: 30s\n", "  timeout: 30s\nrequire_approval: true\n");
const SCRATCH_JOB = ECHO_JOB.replace("id: echo-hello", "id: scratch");
const DISK_JOB =
  "id: disk-free\nversion: 1.0.0\ndescription: Free space\nexecute:\n  shell: sh\n  script: |\n    echo '{\"free_bytes\": 1073741824, \"checked\": \"yes\"}'\n  timeout: 30s\ninventory:\n  display:\n    - { field: free_bytes, label: Free space }\n    - { field: checked, label: Checked }\n";

/** Pixels of "ink" (text, ticks) in the band under a chart's plot area, against the panel colour. */
async function axisInk(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).evaluate((fig) => {
    const canvas = fig.querySelector("canvas");
    const over = fig.querySelector<HTMLElement>(".u-over");
    if (!canvas || !over) return -1;
    const ctx = canvas.getContext("2d");
    if (!ctx) return -1;
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const top = Math.round((over.offsetTop + over.offsetHeight + 2) * ratio);
    const data = ctx.getImageData(0, top, canvas.width, canvas.height - top).data;
    // Any CSS colour to RGB, by painting one pixel with it.
    const probe = document.createElement("canvas").getContext("2d")!;
    probe.fillStyle = getComputedStyle(document.documentElement).getPropertyValue("--panel").trim();
    probe.fillRect(0, 0, 1, 1);
    const [br, bgG, bb] = probe.getImageData(0, 0, 1, 1).data;
    const lum = (r: number, g: number, b: number): number => {
      const f = (c: number): number => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const lb = lum(br!, bgG!, bb!);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3]! < 200) continue;
      const l = lum(data[i]!, data[i + 1]!, data[i + 2]!);
      if ((Math.max(l, lb) + 0.05) / (Math.min(l, lb) + 0.05) >= 3) ink++;
    }
    return ink;
  });
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling at 390 px). */
const fitsWidth = (page: Page): Promise<boolean> => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe("the operator's screens at fleet scale (chromium)", () => {
  let nats: NatsServer;
  let backend: TestBackend;
  let fleet: TestFleet;
  let simA: SimulatedFleet;
  let simB: SimulatedFleet | undefined;
  let nc: NatsConnection;
  let dir: TempDir;
  let ctx: BrowserContext;
  let page: Page;
  let api: ApiClient;
  let failingExec = "";

  beforeAll(async () => {
    requireChromium();
    dir = tempDir("kanade-web-fleet-");
    await buildSpa(dir.join("dist"));
    nats = await startNatsServer();
    backend = await startTestBackend(nats.url, { webRoot: dir.join("dist") });
    fleet = await startTestFleet(nats.url, REAL, { heartbeatIntervalMs: 2000 });
    const sim = (prefix: string, count: number) =>
      startSimulatedFleet({ count, prefix, natsUrl: nats.url, dataDir: dir.join(prefix), commandKeys: testCommandKeys().keys, heartbeatIntervalMs: 1000, hostPerfIntervalMs: 1000, log: testLogger(prefix) });
    simA = await sim("sim-a-", 24);
    simB = await sim("sim-b-", 16);
    api = createApiClient({ baseUrl: backend.url, token: backend.token, validateResponses: true });
    nc = await connect({ servers: nats.url });
    await waitFor(async () => (await api.call("listAgents", { query: { online: true } })).items.length === TOTAL, { what: `${TOTAL} agents online`, timeoutMs: 30_000 });
    await waitFor(async () => (await api.call("getFleetPerf", { query: { limit: 1000 } })).items.filter((s) => s.pc_id.startsWith("sim-b-")).length === 16, {
      what: "perf samples from the PCs about to go offline",
    });
    // 16 PCs go away, leaving their last (busy-looking) samples behind.
    await simB.stop();
    simB = undefined;
    await waitFor(async () => (await api.call("listAgents", { query: { online: false } })).items.length === 16, { what: "16 agents offline", timeoutMs: 20_000 });
    for (const yaml of [ECHO_JOB, FAILING_JOB, GUARDED_JOB, SCRATCH_JOB, DISK_JOB]) await api.call("createJob", { body: yaml });
    await api.call("addGroupMembers", { params: { g: "canary" }, body: { pcs: ["sim-a-0001", "sim-a-0002", "sim-a-0003", "sim-a-0004", "sim-a-0005"] } });
    // Software inventory as agents report it: openssl at two versions, and packages that only share the word.
    const js = jetstream(nc);
    for (const [pc, apps] of [
      ["sim-a-0001", [["openssl", "3.0.13"], ["libssl3", "3.0.13"]]],
      ["sim-a-0002", [["openssl", "3.0.13"], ["7-Zip", "23.01"]]],
      ["sim-a-0003", [["openssl", "3.0.2"], ["python3-openssl", "23.0.0"]]],
    ] as [string, [string, string][]][]) {
      await js.publish(subjects.inventory(pc, "sw"), JSON.stringify(sampleSoftware(pc, apps)));
    }
    const facts = await api.call("execJob", { params: { job_id: "disk-free" }, body: { pcs: ["fs-pc-1", "sim-a-0001"] } });
    await waitFor(async () => (await api.call("getExecution", { params: { exec_id: facts.exec_id }, query: { rows: false } })).state === "completed", { what: "disk-free facts" });
    const failing = await api.call("execJob", { params: { job_id: "check-access" }, body: { all: true } });
    failingExec = failing.exec_id;
    await waitFor(async () => (await api.call("getExecution", { params: { exec_id: failingExec }, query: { rows: false } })).counts.done === TOTAL - 16, {
      what: "every online PC answered check-access",
      timeoutMs: 30_000,
    });
    ctx = await launch(dir.join("chromium-profile"));
    await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: backend.url });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(backend.url);
    await page.getByTestId("token-form").locator('input[name="token"]').fill(backend.token);
    await page.getByTestId("token-form").getByRole("button", { name: "Sign in with token" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await ctx?.close();
    await nc?.close();
    await simB?.stop();
    await simA?.stop();
    await fleet?.close();
    await backend?.close();
    await nats?.stop();
    dir?.remove();
  });

  it("colours the dashboard by severity, and fits a phone (item 5, 10)", async () => {
    await page.goto(backend.url);
    await waitFor(async () => (await page.getByTestId("agents-offline").textContent()) === "16", { what: "16 offline on the dashboard" });
    // 16 of 43 PCs offline is trouble, not a neutral figure.
    expect(await page.getByTestId("tile-offline").getAttribute("data-severity")).toBe("bad");
    await shot(page, "dashboard-fleet");
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await page.getByTestId("agents-online").waitFor();
      for (const id of ["tile-online", "tile-offline", "tile-runs", "tile-success", "tile-awaiting"]) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box, id).not.toBeNull();
        expect(box!.x, id).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, id).toBeLessThanOrEqual(390);
      }
      expect(await fitsWidth(page)).toBe(true);
      await shot(page, "dashboard-phone");
    } finally {
      await page.setViewportSize({ width: 1024, height: 720 });
    }
  });

  it("keeps every agents filter in the URL, sorts by column, shows load, IP and user, and never hides a selection (item 2)", async () => {
    await page.goto(`${backend.url}/agents`);
    await waitFor(async () => (await page.getByTestId("agents-count").textContent()) === `${TOTAL} of ${TOTAL} agents`, { what: "the whole fleet listed" });
    await page.locator('input[name="q"]').fill("sim-b");
    await page.waitForURL(/\/agents\?q=sim-b$/);
    await page.reload();
    expect(await page.locator('input[name="q"]').inputValue()).toBe("sim-b");
    await waitFor(async () => (await page.getByTestId("agents-count").textContent()) === `16 of ${TOTAL} agents`, { what: "the filter survives a reload" });
    await page.getByRole("button", { name: "Select all shown" }).click();
    await page.getByTestId("selection").getByText("16 selected").waitFor();

    // A different filter: the 16 selected PCs stay listed, first, and the chip says they are outside it.
    await page.locator('input[name="q"]').fill("");
    await page.locator('select[name="online"]').selectOption("online");
    await page.waitForURL(/\/agents\?online=online$/);
    await page.getByTestId("selection").getByText("16 outside the filter, listed first").waitFor();
    const first = page.getByTestId("agent-row").first();
    expect(await first.getAttribute("data-pc")).toMatch(/^sim-b-/);
    expect(await first.locator('input[type="checkbox"]').isChecked()).toBe(true);
    await page.getByRole("button", { name: "Show selected" }).click();
    await waitFor(async () => (await page.getByTestId("agent-row").count()) === 16, { what: "only the selected rows" });
    await shot(page, "agents-selection");
    await page.getByRole("button", { name: "Show all" }).click();

    // Columns sort, and load of offline PCs is not shown as current.
    await page.locator('select[name="online"]').selectOption("all");
    await page.locator('button.sort[data-sort="cpu"]').click();
    await page.waitForURL(/sort=cpu-desc/);
    expect(await page.locator('[role="columnheader"][aria-sort="descending"]').textContent()).toContain("CPU");
    const cpus = await page.locator('[data-testid="agent-row"]:not(.pinned) .c-cpu').allTextContents();
    const known = cpus.filter((c) => c !== "—").map((c) => Number(c.replace("%", "")));
    expect(known.length).toBeGreaterThan(10);
    expect(known).toEqual([...known].sort((a, b) => b - a));
    for (const col of ["CPU", "Memory", "IP address", "Logged on"]) await page.locator('[role="columnheader"]', { hasText: col }).first().waitFor();
    // An offline PC's last sample is not shown as its load; a real agent's address comes from its inventory.
    await page.locator('input[name="q"]').fill("sim-b-0001");
    expect(await page.locator('[data-testid="agent-row"][data-pc="sim-b-0001"] .c-cpu').textContent()).toBe("—");
    await page.locator('input[name="q"]').fill("fs-pc-1");
    expect(await page.locator('[data-testid="agent-row"][data-pc="fs-pc-1"] .c-ip').textContent()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(page.url()).toMatch(/\?q=fs-pc-1&sort=cpu-desc$/);

    // Search matches groups.
    await page.locator('button.sort[data-sort="pc"]').click();
    await page.getByRole("button", { name: "Clear selection" }).click();
    await page.locator('input[name="q"]').fill("canary");
    await waitFor(async () => (await page.getByTestId("agents-count").textContent()) === `5 of ${TOTAL} agents`, { what: "group members found by search" });
    await page.getByRole("button", { name: "Select all shown" }).click();
    await page.getByRole("button", { name: "Run job on 5 selected" }).click();
    await page.waitForURL(/\/jobs\?pcs=/);
    await page.getByTestId("pc-picker").getByTestId("selection").getByText("5 selected").waitFor();
  });

  it("confirms any run on more than one PC with the resolved count, and clears stale errors (item 1)", async () => {
    await page.goto(`${backend.url}/jobs`);
    await page.locator('[data-job="echo-hello"]').waitFor();
    const form = page.getByTestId("exec-form");
    await form.locator('select[name="job"]').selectOption("echo-hello");
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await form.getByText("Pick at least one PC.").waitFor();
    await form.locator('input[name="mode"][value="all"]').check();
    // The message about the previous choice goes with it.
    expect(await form.getByText("Pick at least one PC.").count()).toBe(0);
    const before = (await api.call("listExecutions", { query: { limit: 500 } })).items.length;
    await form.getByRole("button", { name: "Run", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`Run echo-hello 1.0.0 on ${TOTAL} PCs?`).waitFor();
    await dialog.getByText("Offline now: 16 PCs, which run it when they reconnect.").waitFor();
    expect(await dialog.getByRole("button", { name: "Confirm" }).count()).toBe(0);
    await shot(page, "jobs-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await api.call("listExecutions", { query: { limit: 500 } })).items.length).toBe(before);

    // A group is resolved to its PC count before anything runs.
    await form.locator('input[name="mode"][value="groups"]').check();
    await form.locator('input[name="group"][value="canary"]').check();
    await form.getByRole("button", { name: "Run", exact: true }).click();
    await dialog.getByText("Run echo-hello 1.0.0 on 5 PCs?").waitFor();
    await dialog.getByRole("button", { name: "Run on 5 PCs" }).click();
    await page.waitForURL(/\/activity\/[0-9a-f-]{36}$/);
    await waitFor(async () => (await page.locator('[data-testid="exec-row"][data-status="succeeded"]').count()) === 5, { what: "5 PCs succeeded" });
  });

  it("gives the catalog approval, unrevoke and delete, keeps its rows a table, and scrolls Edit into view (item 11)", async () => {
    await page.goto(`${backend.url}/jobs`);
    const guarded = page.locator('[data-job="guarded-hello"]');
    await guarded.waitFor();
    expect(await guarded.getByTestId("approval").textContent()).toBe("required");
    expect(await page.locator('[data-job="echo-hello"]').getByTestId("approval").textContent()).toBe("—");
    // The buttons sit in a cell like any other: the row keeps its borders.
    expect(await guarded.locator("td").last().evaluate((td) => getComputedStyle(td).display)).toBe("table-cell");

    const scratch = page.locator('[data-job="scratch"]');
    await scratch.getByRole("button", { name: "Revoke job" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke scratch" }).click();
    await scratch.and(page.locator('[data-status="REVOKED"]')).waitFor();
    await scratch.getByRole("button", { name: "Unrevoke" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Unrevoke scratch" }).click();
    await scratch.and(page.locator('[data-status="ACTIVE"]')).waitFor();
    await scratch.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete scratch" }).click();
    await scratch.waitFor({ state: "detached" });
    expect((await api.call("listJobs")).items.map((j) => j.id)).not.toContain("scratch");

    await page.locator('[data-job="echo-hello"]').getByRole("button", { name: "Edit" }).click();
    await waitFor(async () => (await page.locator('textarea[name="manifest"]').inputValue()).includes("id: echo-hello"), { what: "the YAML loaded" });
    const box = await page.getByTestId("job-editor").boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(720);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("manifest");
    await shot(page, "jobs-catalog");
  });

  it("triages a big execution: counts as filters, PC search, stderr and skip reasons, clickable rows, offline PCs counted (items 3, 5, 7)", async () => {
    await page.goto(`${backend.url}/activity/${failingExec}`);
    const chip = (filter: string) => page.locator(`.chip[data-filter="${filter}"]`);
    await chip("failed").waitFor();
    expect(await chip("failed").textContent()).toBe("failed 3");
    expect(await chip("skipped").textContent()).toBe("skipped 24");
    expect(await chip("pending").textContent()).toBe("pending 16");
    expect(await chip("offline").textContent()).toBe("offline, waiting 16");
    await page.getByTestId("offline-waiting").getByText("Waiting for 16 offline PCs").waitFor();
    expect(await page.getByTestId("skip-reasons").textContent()).toBe("Skipped because: simulator runs only echo scripts (24)");
    // The page stays short: the 43 rows scroll inside their box.
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(1600);

    await chip("failed").click();
    await page.waitForURL(/\?status=failed$/);
    await waitFor(async () => (await page.getByTestId("exec-row").count()) === 3, { what: "3 failed rows" });
    expect(await page.locator('[data-testid="exec-row"][data-pc="fs-pc-2"] .c-output').textContent()).toBe("stderr: Access is denied.");
    await shot(page, "execution-triage");
    await chip("skipped").click();
    await waitFor(async () => (await page.getByTestId("exec-row").count()) === 24, { what: "24 skipped rows" });
    expect(await page.locator('[data-testid="exec-row"][data-pc="sim-a-0001"] .c-output').textContent()).toBe("simulator runs only echo scripts");
    await chip("offline").click();
    await waitFor(async () => (await page.getByTestId("exec-row").count()) === 16, { what: "16 offline rows" });
    await page.locator('input[name="pc"]').fill("sim-b-0007");
    await waitFor(async () => (await page.getByTestId("exec-row").count()) === 1, { what: "one PC found" });
    expect(page.url()).toMatch(/status=offline&pc=sim-b-0007$/);

    // Kill says on how many PCs it acts.
    await page.getByRole("button", { name: "Kill", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Kill on 16 PCs" }).waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

    // The whole row opens the result, which shows both ids.
    await page.goto(`${backend.url}/activity/${failingExec}?status=failed`);
    await page.locator('[data-testid="exec-row"][data-pc="fs-pc-1"]').click();
    await page.waitForURL(/\/results\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId("result-exec-id").getAttribute("data-id")).toBe(failingExec);
    expect(await page.getByTestId("result-id").getAttribute("data-id")).toBe(page.url().split("/").pop());
    await shot(page, "result-ids");
  });

  it("copies ids the CLI accepts back (item 6)", async () => {
    await page.goto(`${backend.url}/activity/${failingExec}`);
    const id = page.getByTestId("exec-id");
    expect(await id.locator("code").textContent()).toBe(shortId(failingExec));
    await id.getByRole("button").click();
    await id.getByText("Copied").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(failingExec);
    // The tail the page shows works in the CLI.
    const cli = await runCli(["executions", shortId(failingExec), "--failed-only"], { backendUrl: backend.url, token: backend.token });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`exec_id: ${failingExec}\n`);
    expect(cli.stdout).toContain(`${TOTAL} PCs: 3 failed, 24 skipped, 16 pending\n`);
  });

  it("marks stale data: offline PCs leave the hottest list and an offline PC's page is not live (item 5)", async () => {
    await page.goto(`${backend.url}/perf`);
    const live = page.getByTestId("fleet-perf");
    await waitFor(async () => (await live.locator("tbody tr").count()) >= 20, { what: "live rows" });
    expect(await live.locator('tbody tr[data-pc^="sim-b-"]').count()).toBe(0);
    await page.getByTestId("stale-toggle").getByText("Show 16 offline or stale PCs").click();
    await page.waitForURL(/\/perf\?stale=1$/);
    const stale = page.getByTestId("fleet-perf-stale");
    await waitFor(async () => (await stale.locator('tbody tr[data-stale="true"]').count()) === 16, { what: "16 stale rows, marked" });
    await shot(page, "fleet-perf-stale");

    await page.goto(`${backend.url}/agents/sim-b-0001`);
    await waitFor(async () => (await page.getByTestId("perf-state").getAttribute("data-state")) === "offline", { what: "the offline PC's badge" });
    expect(await page.getByTestId("perf-state").textContent()).toBe("offline");
    await page.getByTestId("perf-age").waitFor();
  });

  it("draws charts with a local time axis, units and a legend of values, readable in light and dark (item 4)", async () => {
    await page.goto(`${backend.url}/agents/sim-a-0001`);
    const points = async (): Promise<number> => Number(await page.getByTestId("chart-cpu").getAttribute("data-points"));
    await waitFor(async () => (await points()) >= 5, { what: "5 perf points", timeoutMs: 20_000 });
    expect(await page.getByTestId("perf-state").getAttribute("data-state")).toBe("live");
    const legend = page.getByTestId("chart-cpu-legend");
    expect(await legend.textContent()).toMatch(/^Time: \d{1,2}:\d{2}:\d{2}( [AP]M)?CPU: \d+(\.\d)?%$/);
    expect(await page.getByTestId("chart-disk").locator("figcaption").textContent()).toBe("Disk I/O (B/s)");
    await shot(page, "agent-detail-light", { docs: false });
    expect(await axisInk(page, "chart-cpu")).toBeGreaterThan(40);
    await page.emulateMedia({ colorScheme: "dark" });
    try {
      await page.locator('[data-testid="chart-cpu"][data-scheme="dark"]').waitFor();
      await waitFor(async () => (await points()) >= 6, { what: "the dark chart redrawn with data" });
      expect(await axisInk(page, "chart-cpu")).toBeGreaterThan(40);
      await shot(page, "agent-detail-dark");
    } finally {
      await page.emulateMedia({ colorScheme: "light" });
    }
  });

  it("reads inventory like inventory: package rows, who lacks it, a job picker with display labels and units (item 9)", async () => {
    await page.goto(`${backend.url}/inventory?app=ssl`);
    const table = page.getByTestId("package-versions");
    await table.waitFor();
    const row = (name: string, version: string) => table.locator(`tr[data-package="${name}"][data-version="${version}"]`);
    expect(await row("openssl", "3.0.13").getByTestId("pc-count").textContent()).toBe("2");
    expect(await row("openssl", "3.0.2").getByTestId("pc-count").textContent()).toBe("1");
    expect(await row("libssl3", "3.0.13").getByTestId("pc-count").textContent()).toBe("1");
    expect(await page.getByTestId("inv-summary").textContent()).toMatch(/package versions on \d+ PCs$/);
    await page.locator('input[name="app"]').fill("7-Zip");
    await page.locator('input[name="mode"][value="missing"]').check();
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\?app=7-Zip&missing=1$/);
    const missing = page.getByTestId("missing-pcs");
    await missing.locator('tr[data-pc="sim-a-0001"]').waitFor();
    expect(await missing.locator('tr[data-pc="sim-a-0002"]').count()).toBe(0);

    await page.locator('select[name="job"]').selectOption("disk-free");
    const facts = page.getByTestId("job-facts");
    await facts.waitFor();
    expect(await facts.locator("thead th").allTextContents()).toEqual(["PC", "Free space", "Checked", "Collected"]);
    expect(await facts.locator('tr[data-pc="fs-pc-1"] td').nth(1).textContent()).toBe("1.0 GiB");
    expect(await facts.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    await shot(page, "inventory-packages");
  });

  it("makes dashboard, agents, agent detail, activity and an execution usable at 390 px (item 10)", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of ["/", "/agents", "/agents/fs-pc-1", "/activity", `/activity/${failingExec}`]) {
        await page.goto(`${backend.url}${path}`);
        await page.locator("main h1").waitFor();
        await page.waitForTimeout(300);
        expect(await fitsWidth(page), path).toBe(true);
      }
      const kill = page.getByRole("button", { name: "Kill", exact: true });
      const box = await kill.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      await shot(page, "execution-phone");
    } finally {
      await page.setViewportSize({ width: 1024, height: 720 });
    }
  });

  it("speaks Japanese throughout, says so in <html lang>, and keeps text at 4.5:1 contrast (item 12)", async () => {
    await page.goto(`${backend.url}/jobs`);
    await page.locator('[data-job="echo-hello"]').waitFor();
    const contrast = await page.locator('[data-job="echo-hello"] .badge.s-succeeded').evaluate((el) => {
      const rgb = (s: string): number[] => (s.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
      const lum = ([r, g, b]: number[]): number => {
        const f = (c: number): number => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const fg = lum(rgb(getComputedStyle(el).color));
      const bg = lum(rgb(getComputedStyle(el.closest("table")!).backgroundColor));
      return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    });
    expect(contrast).toBeGreaterThanOrEqual(4.5);

    await page.getByRole("combobox", { name: "Language" }).selectOption("ja");
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ja");
    const badge = page.locator('[data-job="echo-hello"] .badge[data-status="ACTIVE"]');
    expect(await badge.textContent()).toBe("有効");
    expect(await page.getByTestId("job-catalog").textContent()).not.toContain("ACTIVE");
    // An API error says what its code means in Japanese, before the API's own English message.
    await page.goto(`${backend.url}/activity/01936f0e-0000-7000-8000-000000000000`);
    await page.getByTestId("error-meaning").getByText("その実行はありません。").waitFor();
    await page.goto(`${backend.url}/agents/sim-a-0002`);
    await page.getByTestId("chart-cpu-legend").getByText(/^時刻:/).waitFor();
    await shot(page, "agent-detail-ja");
    await page.getByRole("combobox", { name: "言語" }).selectOption("en");
  });
});

describe("approvals on a sandbox with auth off (chromium, item 8)", () => {
  let nats: NatsServer;
  let backend: TestBackend;
  let dir: TempDir;
  let ctx: BrowserContext;

  beforeAll(async () => {
    requireChromium();
    dir = tempDir("kanade-web-authoff-");
    await buildSpa(dir.join("dist"));
    nats = await startNatsServer();
    backend = await startTestBackend(nats.url, { webRoot: dir.join("dist"), authDisabled: true });
    ctx = await launch(dir.join("chromium-profile"));
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await backend?.close();
    await nats?.stop();
    dir?.remove();
  });

  it("disables Approve and Reject with the reason, in one note", async () => {
    const api = createApiClient({ baseUrl: backend.url, validateResponses: true });
    await api.call("createJob", { body: GUARDED_JOB });
    const exec = await api.call("execJob", { params: { job_id: "guarded-hello" }, body: { pcs: ["ghost-pc"] } });
    expect(exec.state).toBe("pending_approval");
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(`${backend.url}/activity/${exec.exec_id}`);
    await page.getByTestId("awaiting-approval").waitFor();
    expect(await page.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Reject" }).isDisabled()).toBe(true);
    expect(await page.getByTestId("approval-blocked").getAttribute("data-reason")).toBe("authOff");
    expect(await page.getByTestId("approval-blocked").textContent()).toContain("This backend runs with authentication off");
    expect(await page.getByTestId("awaiting-approval").count()).toBe(1);
    expect(await page.getByText("a different operator must approve").count()).toBe(0);
    await shot(page, "approval-auth-off");
  });
});
