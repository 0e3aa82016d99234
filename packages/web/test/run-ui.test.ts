/**
 * The Run page (issue 17 §1), end to end: a real nats-server, the real backend serving the SPA built from
 * source, two real agents running `sh`, and Debian's chromium driven by playwright-core. The script typed
 * into the page is the one the agents run, and the run is followed on its execution page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { ApiClient } from "@kanade/protocol";
import { waitFor, type TestBackend } from "@kanade/testkit";
import { shot } from "./browser.js";
import { startUiStack, type UiStack } from "./ui-stack.js";

const PCS = ["run-ui-pc-1", "run-ui-pc-2"];

describe("run page (chromium)", () => {
  let ui: UiStack;
  let page: Page;
  let api: ApiClient;
  let backend: TestBackend;

  beforeAll(async () => {
    ui = await startUiStack({
      prefix: "kanade-web-run-",
      pcs: PCS,
      fleet: { heartbeatIntervalMs: 2000 },
      prepare: async ({ api }) => {
        await waitFor(async () => (await api.call("listAgents", { query: {} })).items.length === 2, { what: "both agents known" });
      },
    });
    ({ page, api, backend } = ui);
  }, 180_000);

  afterAll(() => ui?.close());

  it("refuses an empty script, then runs the typed script on two PCs after confirming, exactly as typed", { timeout: 90_000 }, async () => {
    await page.getByRole("link", { name: "Run", exact: true }).click();
    await page.getByRole("heading", { name: "Run a script" }).waitFor();
    const form = page.getByTestId("run-form");
    await form.locator('select[name="shell"]').selectOption("sh");
    await form.locator('input[name="pc"][value="run-ui-pc-1"]').check();
    await form.locator('input[name="pc"][value="run-ui-pc-2"]').check();
    await form.getByRole("button", { name: "Run on 2 selected" }).click();
    await form.getByText("Type the script to run.").waitFor();

    const script = `echo "typed in the page on $KANADE_PC_ID"\necho  two  spaces`;
    await form.locator('textarea[name="script"]').fill(script);
    await shot(page, "run");
    await form.getByRole("button", { name: "Run on 2 selected" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Run this script on 2 PCs?").waitFor();
    await dialog.getByRole("button", { name: "Run on 2 PCs" }).click();
    await page.waitForURL(/\/activity\/[0-9a-f-]{36}$/);
    const execId = page.url().split("/").pop()!;
    const row = (pc: string) => page.locator(`[data-testid="exec-row"][data-pc="${pc}"][data-status="succeeded"]`);
    for (const pc of PCS) await row(pc).waitFor({ timeout: 30_000 });
    // The execution page shows what ran, as typed.
    expect(await page.getByTestId("adhoc-script").locator("pre").textContent()).toBe(script);

    expect((await api.call("getRunScript", { params: { exec_id: execId } })).script).toBe(script);
    const results = await api.call("listResults", { query: { exec_id: execId } });
    expect(results.items.map((r) => r.stdout).sort()).toEqual(PCS.map((pc) => `typed in the page on ${pc}\ntwo spaces\n`));
  });

  it("shows a running script's output live on its execution page", { timeout: 60_000 }, async () => {
    const run = await api.call("createRun", { body: { pcs: ["run-ui-pc-2"], shell: "sh", script: "echo live-line-1; sleep 30; echo never" } });
    await page.goto(`${backend.url}/activity/${run.exec_id}`);
    const live = page.getByTestId("live-output");
    await live.getByText("live-line-1").waitFor({ timeout: 20_000 });
    expect(await live.locator('select[name="live-pc"]').inputValue()).toBe("run-ui-pc-2");
    // There is no job behind an ad-hoc run to revoke.
    expect(await page.getByRole("button", { name: "Revoke job" }).count()).toBe(0);
    await shot(page, "live-output");
    await api.call("killExecution", { params: { exec_id: run.exec_id } });
    // Once nothing runs any more, the panel goes away (and stops asking).
    await live.waitFor({ state: "detached", timeout: 30_000 });
  });
});
