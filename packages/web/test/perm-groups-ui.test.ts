/**
 * The Permission groups page, end to end: a real nats-server, the real backend serving the SPA built from
 * source, two real agents, Debian's chromium. An admin makes a group and puts an operator in it on the page;
 * the operator then sees only the PCs of that group, and the header says what it is scoped to.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import type { ApiClient } from "@kanade/protocol";
import { waitFor, type TestBackend } from "@kanade/testkit";
import { openSignedIn, shot } from "./browser.js";
import { startUiStack, type UiStack } from "./ui-stack.js";

const PCS = ["perm-ui-lab", "perm-ui-office"];
const PASSWORD = "correct horse battery";

describe("permission groups page (chromium)", () => {
  let ui: UiStack;
  let page: Page;
  let api: ApiClient;
  let backend: TestBackend;
  let lenaCtx: BrowserContext | undefined;

  beforeAll(async () => {
    ui = await startUiStack({
      prefix: "kanade-web-perm-",
      pcs: PCS,
      prepare: async ({ api }) => {
        await waitFor(async () => (await api.call("listAgents", { query: {} })).items.length === 2, { what: "two agents known" });
        await api.call("setAgentGroups", { params: { pc: "perm-ui-lab" }, body: { groups: ["lab"] } });
        await api.call("setAgentGroups", { params: { pc: "perm-ui-office" }, body: { groups: ["office"] } });
        await api.call("createAccount", { body: { username: "lena", password: PASSWORD, role: "operator" } });
      },
    });
    ({ page, api, backend } = ui);
  }, 180_000);

  afterAll(async () => {
    await lenaCtx?.close();
    await ui?.close();
  });

  it("an admin makes a permission group and puts an operator in it; the operator sees only its PCs", { timeout: 90_000 }, async () => {
    await page.goto(`${backend.url}/perm-groups`);
    await page.locator('input[name="name"]').fill("lab-team");
    await page.locator('input[name="pc_groups"]').fill("lab");
    await page.locator('input[name="description"]').fill("the lab");
    await page.locator('input[name="cap-exec"]').check();
    await page.locator('input[name="cap-kill"]').check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved lab-team.").waitFor();
    await page.locator('input[name="username"]').fill("lena");
    await page.locator('input[name="perm_groups"]').fill("lab-team");
    await page.getByRole("button", { name: "Set", exact: true }).click();
    await page.getByText("lena is now in lab-team.").waitFor();
    const row = page.locator('[data-testid="perm-groups"] tr[data-name="lab-team"]');
    await row.getByText("lena").waitFor();
    expect(await api.call("getPermGroup", { params: { name: "lab-team" } })).toMatchObject({ pc_groups: ["lab"], capabilities: ["exec", "kill"], members: ["lena"] });
    await shot(page, "perm-groups", { docs: false });

    const login = await api.call("login", { body: { username: "lena", password: PASSWORD } });
    if (!("token" in login)) throw new Error("lena has no second factor: expected a session");
    const lena = await openSignedIn(ui.dir.join("lena-profile"), backend.url, login.token);
    lenaCtx = lena.ctx;
    await lena.page.goto(`${backend.url}/agents`);
    await lena.page.locator('[data-testid="agent-row"][data-pc="perm-ui-lab"]').waitFor();
    const rows = await lena.page.locator('[data-testid="agent-row"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-pc")));
    expect(rows).toEqual(["perm-ui-lab"]);
    expect(await lena.page.getByTestId("scope").textContent()).toBe("lab-team");
    // Not an admin: no Permission groups link, and the page says so.
    expect(await lena.page.getByRole("link", { name: "Permission groups" }).count()).toBe(0);
  });
});
