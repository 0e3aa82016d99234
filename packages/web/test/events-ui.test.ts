/**
 * The event timeline in the web UI, end to end: a real nats-server, the real backend serving the SPA built
 * from source, a real agent that starts and runs a script emitting an event, and Debian's chromium driven by
 * playwright-core. The Events page lists and filters them; the agent detail page merges them with the runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { waitFor } from "@kanade/testkit";
import { shot } from "./browser.js";
import { startUiStack, type UiStack } from "./ui-stack.js";

const PC = "ev-ui-pc";

describe("events page and agent timeline (chromium)", () => {
  let ui: UiStack;
  let page: Page;

  beforeAll(async () => {
    ui = await startUiStack({
      prefix: "kanade-web-events-",
      pcs: [PC],
      backend: { presenceTickMs: 500 },
      fleet: { heartbeatIntervalMs: 2000 },
      prepare: async ({ api }) => {
        const run = await api.call("createRun", { body: { pcs: [PC], shell: "sh", script: `echo '{"name":"backup.done","message":"nightly ok"}' >> "$KANADE_EVENTS_FILE"`, run_as: "system" } });
        await waitFor(async () => (await api.call("listEvents", { query: { pc: PC, kind: "script" } })).items.length === 1 || undefined, { what: "the script event" });
        await waitFor(async () => (await api.call("listEvents", { query: { pc: PC, kind: "agent_online" } })).items.length === 1 || undefined, { what: "the agent_online event" });
        await waitFor(async () => (await api.call("listResults", { query: { exec_id: run.exec_id } })).items.length === 1 || undefined, { what: "the run's result" });
      },
    });
    ({ page } = ui);
  }, 180_000);

  afterAll(() => ui?.close());

  it("lists the fleet's events and filters them by kind", { timeout: 60_000 }, async () => {
    await page.getByRole("link", { name: "Events", exact: true }).click();
    await page.getByRole("heading", { name: "Events" }).waitFor();
    const table = page.getByTestId("events-table");
    await table.locator('tr[data-event-kind="script"]').getByText("backup.done · nightly ok").waitFor();
    await table.locator('tr[data-event-kind="agent_started"]').first().waitFor();
    await table.locator('tr[data-event-kind="agent_online"]').first().waitFor();
    await shot(page, "events", { docs: false });
    await page.locator('select[name="kind"]').selectOption("script");
    await page.waitForURL(/kind=script/);
    await waitFor(async () => (await table.locator("tbody tr").count()) === 1 || undefined, { what: "only the script event" });
    expect(await table.locator("tbody tr").first().getAttribute("data-event-kind")).toBe("script");
  });

  it("shows the PC's runs and events merged on its detail page", { timeout: 60_000 }, async () => {
    await page.goto(`${ui.backend.url}/agents/${PC}`);
    const timeline = page.getByTestId("agent-timeline");
    await timeline.locator('li[data-entry="run"]').getByText("adhoc").waitFor();
    await timeline.locator('li[data-event-kind="script"]').getByText("backup.done · nightly ok").waitFor();
    await timeline.locator('li[data-event-kind="agent_started"]').first().waitFor();
    const entries = await timeline.locator("li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-event-kind") ?? li.getAttribute("data-entry")));
    // The script event was recorded when the run ended, the run right after: both above the agent's start.
    expect(entries.indexOf("agent_started")).toBeGreaterThan(entries.indexOf("script"));
    expect(entries.indexOf("agent_started")).toBeGreaterThan(entries.indexOf("run"));
    await timeline.scrollIntoViewIfNeeded();
    await shot(page, "agent-timeline", { docs: false });
    await timeline.getByRole("link", { name: "All events of this PC" }).click();
    await page.waitForURL(/\/events\?pc=ev-ui-pc/);
    await expect(page.locator('input[name="pc"]').inputValue()).resolves.toBe(PC);
  });
});
