/**
 * The Groups page and tag editing (issue 17 §3), end to end: a real nats-server, the real backend serving the
 * SPA built from source, three real agents, and Debian's chromium driven by playwright-core. Tags typed on
 * an agent's page reach KV; a query typed on the Groups page is previewed, saved, and its members listed; a
 * tag changed behind the page's back makes Save answer 409 without overwriting it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { ApiClient } from "@kanade/protocol";
import { waitFor, type TestBackend } from "@kanade/testkit";
import { shot } from "./browser.js";
import { startUiStack, type UiStack } from "./ui-stack.js";

const PCS = ["grp-ui-1", "grp-ui-2", "grp-ui-3"];

describe("groups page and tags (chromium)", () => {
  let ui: UiStack;
  let page: Page;
  let api: ApiClient;
  let backend: TestBackend;

  beforeAll(async () => {
    ui = await startUiStack({
      prefix: "kanade-web-groups-",
      pcs: PCS,
      prepare: async ({ api }) => {
        await waitFor(async () => (await api.call("listAgents", { query: {} })).items.length === 3, { what: "three agents known" });
      },
    });
    ({ page, api, backend } = ui);
  }, 180_000);

  afterAll(() => ui?.close());

  it("edits a PC's tags on its page; a change made elsewhere meanwhile is a 409, not overwritten", { timeout: 60_000 }, async () => {
    await page.goto(`${backend.url}/agents/grp-ui-1`);
    const editor = page.getByTestId("tags-editor");
    await editor.getByRole("button", { name: "Add tag" }).click();
    await editor.locator('input[name="tag-key"]').last().fill("site");
    await editor.locator('input[name="tag-value"]').last().fill("osaka");
    await editor.getByRole("button", { name: "Add tag" }).click();
    await editor.locator('input[name="tag-key"]').last().fill("bad key");
    await editor.getByText('tag key "bad key"').waitFor();
    expect(await editor.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
    await editor.locator('input[name="tag-key"]').last().fill("owner");
    await editor.locator('input[name="tag-value"]').last().fill("it");
    await editor.getByRole("button", { name: "Save" }).click();
    await editor.getByText("Tags saved.").waitFor();
    expect((await api.call("getAgentTags", { params: { pc: "grp-ui-1" } })).tags).toEqual({ owner: "it", site: "osaka" });
    await editor.scrollIntoViewIfNeeded();
    await shot(page, "agent-tags", { docs: false });

    // Another operator changes the tags after the page loaded them: the page's save must not win silently.
    await page.reload();
    await editor.locator('input[name="tag-value"]').first().waitFor();
    await api.call("changeAgentTags", { params: { pc: "grp-ui-1" }, body: { set: { owner: "finance" } } });
    await editor.locator('input[name="tag-value"]').first().fill("helpdesk");
    await editor.getByRole("button", { name: "Save" }).click();
    const alert = editor.getByRole("alert");
    await alert.waitFor();
    expect(await alert.getAttribute("data-code")).toBe("CONFLICT");
    expect((await api.call("getAgentTags", { params: { pc: "grp-ui-1" } })).tags).toEqual({ owner: "finance", site: "osaka" });

    // The agents list shows tags and filters by them.
    await api.call("changeAgentTags", { params: { pc: "grp-ui-2" }, body: { set: { site: "osaka" } } });
    await page.goto(`${backend.url}/agents?tag=site%3Dosaka`);
    await page.locator('[data-testid="agent-row"][data-pc="grp-ui-2"]').waitFor();
    const rows = await page.locator('[data-testid="agent-row"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-pc")));
    expect(rows).toEqual(["grp-ui-1", "grp-ui-2"]);
  });

  it("previews a query, saves it as a group and lists its members", { timeout: 60_000 }, async () => {
    await page.goto(`${backend.url}/`);
    await page.getByRole("link", { name: "Groups", exact: true }).click();
    await page.getByRole("heading", { name: "Groups", level: 1 }).waitFor();
    const form = page.getByTestId("group-define");
    await form.locator('input[name="group-name"]').fill("osaka");
    await form.locator('input[name="group-query"]').fill('tag.site = "osaka" and');
    await form.getByTestId("query-problem").getByText("column 23").waitFor();
    expect(await form.getByRole("button", { name: "Preview" }).isDisabled()).toBe(true);
    await form.locator('input[name="group-query"]').fill('tag.site = "osaka"');
    await form.getByRole("button", { name: "Preview" }).click();
    await form.getByTestId("group-preview").getByText("2 PCs match").waitFor();
    expect(await form.getByTestId("group-preview").textContent()).toContain("grp-ui-1, grp-ui-2");
    await form.getByRole("button", { name: "Save group" }).click();

    const detail = page.getByTestId("group-detail");
    await detail.getByTestId("group-query").getByText('tag.site = "osaka"').waitFor();
    await detail.getByText("2 members: 2 by query, 0 static").waitFor();
    const members = await detail.getByTestId("group-members").locator("tbody tr td:first-child").allTextContents();
    expect(members).toEqual(["grp-ui-1", "grp-ui-2"]);
    await page.getByTestId("groups-list").locator('tr[data-group="osaka"]').getByText('tag.site = "osaka"').waitFor();
    await shot(page, "groups");

    // A third PC tagged elsewhere joins while the page is open.
    await api.call("changeAgentTags", { params: { pc: "grp-ui-3" }, body: { set: { site: "osaka" } } });
    await detail.getByText("3 members: 3 by query, 0 static").waitFor({ timeout: 20_000 });
    expect((await api.call("getAgentGroups", { params: { pc: "grp-ui-3" } })).dynamic).toEqual(["osaka"]);
  });
});
