/**
 * The agent executable carries two bundles (scripts/build-release.mjs, agentSeaBundles): the agent without
 * the inventory collectors, and the collectors with systeminformation, which only the short-lived
 * `kanade-agent inventory` child loads. This keeps the split from silently undoing itself (a new static
 * import of the collectors would put systeminformation back into every idle agent's memory) and the
 * sources ASCII-only (one non-ASCII character makes V8 keep the whole source as two-byte characters).
 * release-build.test.ts runs the built executable's `inventory` command. It also keeps what else makes an
 * idle agent lighter: zod imported as a namespace, so that esbuild drops the half of zod the agent never
 * calls, and esbuild's keepNames naming classes only (docs/operator/performance.md, "Third round").
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}
interface BuildRelease {
  agentSeaBundles(mainOut: string, inventoryOut: string, version: string): Promise<{ main: Metafile; inventory: Metafile }>;
  bundleAgent(outfile: string, version: string, format?: string, entry?: string): Promise<Metafile>;
}

const repo = join(import.meta.dirname, "../../..");
const dir = tempDir("kanade-sea-bundles-");
afterAll(() => dir.remove());

const loadBuild = async (): Promise<BuildRelease> => (await import(join(repo, "scripts/build-release.mjs"))) as BuildRelease;
const inputs = (m: Metafile): string[] => Object.keys(m.inputs);
/** The inputs with code in the bundle (esbuild lists the files it read, tree-shaken away or not). */
const bundled = (m: Metafile): string[] => Object.values(m.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f));
const COLLECTORS = ["node_modules/systeminformation/", "packages/agent/src/inventory/collect.ts", "packages/agent/src/inventory/software.ts"];
const hasCollectors = (files: string[]): string[] => files.filter((f) => COLLECTORS.some((c) => f.includes(c)));

describe("agent executable bundles", () => {
  it("keep the inventory collectors and systeminformation out of the agent's own bundle, in the inventory asset", async () => {
    const build = await loadBuild();
    const main = dir.join("agent.cjs");
    const inventory = dir.join("inventory.cjs");
    const meta = await build.agentSeaBundles(main, inventory, "9.9.9");
    // The agent's bundle still has everything else: the intake, the inventory reporter and the command.
    expect(inputs(meta.main)).toContain("packages/agent/src/intake.ts");
    expect(inputs(meta.main)).toContain("packages/agent/src/inventory/snapshot.ts");
    expect(hasCollectors(inputs(meta.main))).toEqual([]);
    expect(hasCollectors(inputs(meta.inventory)).length).toBeGreaterThanOrEqual(3);
    // Only the executable's bundle is split: the release's stand-alone bundle keeps one file.
    expect(hasCollectors(inputs(await build.bundleAgent(dir.join("whole.cjs"), "9.9.9"))).length).toBeGreaterThanOrEqual(3);
    for (const f of [main, inventory, dir.join("whole.cjs")]) {
      const src = readFileSync(f, "latin1");
      expect([...src.matchAll(/[\u0080-\uffff]/g)].length, `${f} has non-ASCII bytes`).toBe(0);
    }
    expect(readFileSync(main, "latin1")).toContain('globalThis.__kanadeSeaModule("kanade-agent-inventory.cjs")');
  }, 120_000);

  it("leave out the parts of zod the agent never calls (an `import { z }` anywhere brings all of zod back)", async () => {
    const build = await loadBuild();
    const meta = await build.agentSeaBundles(dir.join("zod-agent.cjs"), dir.join("zod-inventory.cjs"), "9.9.9");
    const zod = bundled(meta.main).filter((f) => f.includes("node_modules/zod/"));
    // The agent's schemas are zod's: the core and the classic API are in.
    expect(zod).toContain("node_modules/zod/v4/classic/schemas.js");
    // Converting from JSON Schema and the other languages' messages are reached only through the `z` object.
    expect(zod.filter((f) => f.includes("from-json-schema") || /locales\/(?!en\.js|index\.js)/.test(f))).toEqual([]);
  }, 120_000);

  it("name classes after minification but leave functions their minified names", async () => {
    const build = await loadBuild();
    const out = dir.join("names.cjs");
    await build.bundleAgent(out, "9.9.9", "cjs", join(import.meta.dirname, "fixtures/bundle-names.ts"));
    const run = spawnSync(process.execPath, [out], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const names = JSON.parse(run.stdout) as { cls: string; fn: string };
    expect(names.cls).toBe("AgentFixtureFailure");
    expect(names.fn).not.toBe("describeFixture");
  }, 120_000);
});
