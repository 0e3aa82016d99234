/** Builds the SPA from source into a temp dir and launches Debian's chromium through playwright-core. */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.KANADE_CHROMIUM_BIN ?? "/usr/bin/chromium";
const webDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
export const SCREENSHOT_DIR = `${repoRoot}test-output/screenshots`;
const DOCS_IMG_DIR = `${repoRoot}docs/operator/img`;

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the web UI e2e test drives Debian's chromium. Install it with \`apt-get install -y chromium\` (npm test's ensure-deps does this as root), or set KANADE_CHROMIUM_BIN.`);
  }
}

/** Runs `vite build` in a child process so the test serves exactly the current source. */
export async function buildSpa(outDir: string): Promise<void> {
  // vite's package exports do not expose its bin; find it next to the resolved package.json.
  const vite = fileURLToPath(new URL("bin/vite.js", import.meta.resolve("vite/package.json")));
  await promisify(execFile)(process.execPath, [vite, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "error"], { cwd: webDir });
}

export async function launch(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1024, height: 720 },
    locale: "en-US",
    colorScheme: "light",
  });
}

/** Opens chromium on the backend's SPA and signs in with the static token; resolves on the Dashboard. */
export async function openSignedIn(userDataDir: string, url: string, token: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await launch(userDataDir);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(url);
  const tokenForm = page.getByTestId("token-form");
  await tokenForm.locator('input[name="token"]').fill(token);
  await tokenForm.getByRole("button", { name: "Sign in with token" }).click();
  await page.getByRole("heading", { name: "Dashboard" }).waitFor();
  return { ctx, page };
}

/**
 * Saves a viewport screenshot to test-output/screenshots; with KANADE_UPDATE_DOCS_IMG=1 also into
 * docs/operator/img, unless `docs: false` (a shot only the test run needs).
 */
export async function shot(page: Page, name: string, opts: { docs?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = `${SCREENSHOT_DIR}/${name}.png`;
  await page.screenshot({ path: file });
  if (process.env.KANADE_UPDATE_DOCS_IMG === "1" && opts.docs !== false) {
    mkdirSync(DOCS_IMG_DIR, { recursive: true });
    copyFileSync(file, `${DOCS_IMG_DIR}/${name}.png`);
  }
}
