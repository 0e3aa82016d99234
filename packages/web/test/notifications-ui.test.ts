/**
 * The Notifications page end to end: a real nats-server, the real backend serving the SPA built from source, a
 * real agent with KLP on its real socket, a KLP client, and Debian's chromium driven by playwright-core. A notice
 * is written in the page's YAML editor (a bad one first: errors beside their line), the person at the PC
 * acknowledges it over KLP, and the ack table on the page turns to acknowledged by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { KlpNotice } from "@kanade/protocol/klp";
import { KlpClient } from "@kanade/protocol/klp-client";
import { waitFor, type TempDir, type TestBackend } from "@kanade/testkit";
import { shot } from "./browser.js";
import { startUiStack, type UiStack } from "./ui-stack.js";

const PC = "ui-note-pc";
const SELF = process.getuid?.() ?? 0;

describe("notifications page (chromium)", () => {
  let ui: UiStack;
  let page: Page;
  let backend: TestBackend;
  let dir: TempDir;
  let klp: KlpClient | undefined;

  beforeAll(async () => {
    ui = await startUiStack({
      prefix: "kanade-web-notify-",
      pcs: [],
      prepare: async ({ fleet, dir }) => {
        await fleet.start(PC, { klp: { dir: dir.join("klp"), usersDir: dir.join("users") } });
      },
    });
    ({ page, backend, dir } = ui);
  }, 180_000);

  afterAll(async () => {
    klp?.close();
    await ui?.close();
  });

  it("creates a notification from YAML, and the ack table updates after a KLP ack", { timeout: 90_000 }, async () => {
    await page.goto(`${backend.url}/notifications`);
    const editor = page.getByTestId("notification-editor");
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const yaml = (priority: string): string =>
      [`id: office-move`, `priority: ${priority}`, "require_ack: true", "title: The office moves on Monday", "body: |", "  Pack your desk by **Friday**.", `expires_at: ${expires}`, `target: {pcs: [${PC}]}`, ""].join("\n");
    await editor.locator('textarea[name="manifest"]').fill(yaml("urgent"));
    await editor.getByRole("button", { name: "Send" }).click();
    expect(await page.getByTestId("notification-error").textContent()).toContain("L2: priority: expected one of info, warning, emergency");

    await editor.locator('textarea[name="manifest"]').fill(yaml("emergency"));
    await editor.getByRole("button", { name: "Send" }).click();
    await page.getByText("Sent office-move.").waitFor();
    const detail = page.getByTestId("notification-detail");
    await detail.getByTestId("ack-table").getByText(PC).waitFor();
    expect(await detail.getByTestId("ack-table").locator("tbody tr").first().getAttribute("data-state")).toBe("pending");

    // The person at the PC: their client lists the notice and acknowledges it.
    klp = await KlpClient.connect(dir.join("klp", `${SELF}.sock`), { clientVersion: "0.0.1-test" });
    await waitFor(async () => ((await klp!.call("notifications.list")) as { notifications: KlpNotice[] }).notifications.some((n) => n.id === "office-move"), { what: "the notice at the PC", intervalMs: 1_100 });
    await klp.call("notifications.ack", { id: "office-move" });

    // No reload: the page polls the ack table.
    const row = detail.getByTestId("ack-table").locator(`tbody tr[data-state="acknowledged"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`uid:${SELF}`);
    expect(await detail.getByTestId("ack-counts").textContent()).toContain("acknowledged 1");
    const listed = page.getByTestId("notification-list").locator("tbody tr", { hasText: "office-move" }).locator("td").last();
    await waitFor(async () => (await listed.textContent()) === "1", { what: "the list's acknowledged count" });
    await shot(page, "notifications");

    await detail.getByRole("button", { name: "Withdraw" }).click();
    await page.locator("dialog.confirm").getByRole("button", { name: "Withdraw" }).click();
    await detail.getByText(/Withdrawn at/).waitFor();
    await waitFor(async () => ((await klp!.call("notifications.list")) as { notifications: KlpNotice[] }).notifications.length === 0, { what: "the notice gone at the PC", intervalMs: 1_100 });
  });
});
