/**
 * The agent executable carries two bundles (scripts/build-release.mjs, agentSeaBundles): the agent without
 * the inventory collectors, and the collectors with systeminformation, which only the short-lived
 * `kanade-agent inventory` child loads. This keeps the split from silently undoing itself (a new static
 * import of the collectors would put systeminformation back into every idle agent's memory) and the
 * sources ASCII-only (one non-ASCII character makes V8 keep the whole source as two-byte characters).
 * release-build.test.ts runs the built executable's `inventory` command.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";

interface Metafile {
  inputs: Record<string, unknown>;
}
interface BuildRelease {
  agentSeaBundles(mainOut: string, inventoryOut: string, version: string): Promise<{ main: Metafile; inventory: Metafile }>;
  bundleAgent(outfile: string, version: string): Promise<Metafile>;
}

const repo = join(import.meta.dirname, "../../..");
const dir = tempDir("kanade-sea-bundles-");
afterAll(() => dir.remove());

const loadBuild = async (): Promise<BuildRelease> => (await import(join(repo, "scripts/build-release.mjs"))) as BuildRelease;
const inputs = (m: Metafile): string[] => Object.keys(m.inputs);
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
});
