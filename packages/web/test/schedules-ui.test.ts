/**
 * The Schedules and Compliance pages and the freeze banner (issue 14), end to end: a real nats-server, the real
 * backend serving the SPA built from source, two real agents, and Debian's chromium driven by playwright-core.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { ApiClient } from "@kanade/protocol";
import { waitFor, type TestBackend } from "@kanade/testkit";
import { shot } from "./browser.js";
import { startUiStack, type UiStack } from "./ui-stack.js";

const PCS = ["ui-pc-1", "ui-pc-2"];
const hello = readFileSync(new URL("../../../examples/jobs/hello.yaml", import.meta.url), "utf8");

describe("schedules and compliance pages (chromium)", () => {
  let ui: UiStack;
  let page: Page;
  let api: ApiClient;
  let backend: TestBackend;

  beforeAll(async () => {
    ui = await startUiStack({
      prefix: "kanade-web-sched-",
      pcs: PCS,
      backend: { scheduleTickMs: 250 },
      fleet: { heartbeatIntervalMs: 2000 },
      prepare: async ({ api }) => {
        await api.call("createJob", { body: hello });
      },
    });
    ({ page, api, backend } = ui);
  }, 180_000);

  afterAll(() => ui?.close());

  it("shows a bad schedule's errors beside their line, previews the next 10 fire times, saves, and shows coverage", { timeout: 90_000 }, async () => {
    await page.goto(`${backend.url}/schedules`);
    const editor = page.getByTestId("schedule-editor");
    await editor.locator('textarea[name="manifest"]').fill(["id: nightly", "job: hello", "when: {calendar: {at: \"25:00\"}, tz: utc}", "target: {all: true}", ""].join("\n"));
    await editor.getByRole("button", { name: "Save" }).click();
    expect(await page.getByTestId("schedule-error").textContent()).toContain("L3: when.calendar.at");

    await editor.locator('textarea[name="manifest"]').fill(["id: nightly", "job: hello", "when: {calendar: {at: \"03:00\", days: [mon-fri]}, tz: utc}", "target: {all: true}", ""].join("\n"));
    await editor.getByRole("button", { name: "Preview" }).click();
    await waitFor(async () => (await editor.getByTestId("fire-times").locator("li").count()) === 10, { what: "10 fire times" });
    await editor.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved nightly.").waitFor();

    await api.call("createSchedule", { body: "id: every-pc\njob: hello\nwhen: {per_pc: once}\ntarget: {all: true}\n" });
    await waitFor(async () => (await api.call("getScheduleCoverage", { params: { id: "every-pc" } })).counts.ok === 2, { what: "both PCs ran it", timeoutMs: 30_000 });
    await page.reload();
    await page.getByTestId("schedule-list").getByRole("button", { name: "every-pc" }).click();
    const detail = page.getByTestId("schedule-detail");
    await detail.getByTestId("coverage").getByText("ui-pc-2").waitFor();
    expect(await detail.getByTestId("coverage").locator("tbody tr").count()).toBe(2);
    expect(await detail.textContent()).toContain("ok 2");
    await shot(page, "schedules");
  });

  it("lists compliance checks with their pass rate and the failing PCs first", { timeout: 60_000 }, async () => {
    await api.call("createJob", {
      body: "id: check-ui\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 30s\n  script: |\n    [ \"$KANADE_PC_ID\" = ui-pc-1 ] && echo '{\"pass\": true}' || echo '{\"pass\": false, \"detail\": \"not ok here\"}'\ncheck: {pass_if: stdout_json}\n",
    });
    await api.call("execJob", { params: { job_id: "check-ui" }, body: { pcs: PCS } });
    await waitFor(async () => (await api.call("getCompliance", { params: { job: "check-ui" } })).total === 2, { what: "both verdicts", timeoutMs: 30_000 });
    await page.goto(`${backend.url}/compliance`);
    const checks = page.getByTestId("compliance-checks");
    await checks.getByText("50%").waitFor();
    await checks.getByRole("button", { name: "check-ui" }).click();
    const rows = page.getByTestId("compliance-detail").locator("tbody tr");
    await rows.first().waitFor();
    expect(await rows.first().textContent()).toContain("ui-pc-2");
    expect(await rows.first().textContent()).toContain("not ok here");
    await shot(page, "compliance");
  });

  it("shows the freeze banner on every page while the fleet is frozen", { timeout: 60_000 }, async () => {
    await api.call("setFreeze", { body: { reason: "quarter close" } });
    await page.goto(`${backend.url}/agents`);
    const banner = page.getByTestId("freeze-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("quarter close");
    await api.call("clearFreeze");
    await page.reload();
    await page.getByRole("heading", { name: "Agents" }).waitFor();
    expect(await page.getByTestId("freeze-banner").count()).toBe(0);
  });
});
