/**
 * `npx tsx packages/web/bench/validation.ts`: prints JSON with what checking API answers against their
 * schemas costs, in Node and in Debian's chromium (the same code, bundled with esbuild). Build the
 * workspace first (`npm run build`): the bundle imports @kanade/protocol's dist.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { CHROMIUM, launch, requireChromium } from "../test/browser.js";
import { tempDir } from "@kanade/testkit";
import { CASES, measure, type Figures } from "./validation-cost.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

async function inChromium(): Promise<Figures[]> {
  requireChromium();
  const entry = fileURLToPath(new URL("./validation-cost.ts", import.meta.url));
  const bundle = await build({
    stdin: {
      contents: `import { CASES, measure } from ${JSON.stringify(entry)}; globalThis.kanadeBench = (rounds) => measure(CASES(), rounds);`,
      resolveDir: fileURLToPath(new URL(".", import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    minify: true,
  });
  const dir = tempDir("kanade-web-bench-");
  const ctx = await launch(dir.join("profile"));
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    return await page.evaluate((rounds) => (globalThis as unknown as { kanadeBench(r: number): Promise<Figures[]> }).kanadeBench(rounds), ROUNDS);
  } finally {
    await ctx.close();
    dir.remove();
  }
}

const node = await measure(CASES(), ROUNDS);
const chromium = await inChromium();
console.log(JSON.stringify({ bench: "web-response-validation", rounds: ROUNDS, chromium_bin: CHROMIUM, node: process.version, results: { node, chromium } }, null, 2));
