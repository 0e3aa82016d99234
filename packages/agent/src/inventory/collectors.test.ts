import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import type { Argv } from "../platform/types.js";
import { childProcessCollector } from "./collectors.js";

let t: TempDir;
beforeEach(() => {
  t = tempDir("kanade-collectors-");
});
afterEach(() => t.remove());

/** A stand-in for `kanade-agent`: a node one-liner that logs its argv to a file and prints `output`. */
function fakeSelf(output: string): { self: Argv; calls: () => string[][] } {
  const log = t.join("calls.log");
  const script = `require("fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(1)) + "\\n"); process.stdout.write(${JSON.stringify(output)});`;
  return {
    self: { file: process.execPath, args: ["-e", script] },
    calls: () => readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]),
  };
}

describe("childProcessCollector", () => {
  it("runs one `inventory` child for the categories asked together and hands each its part", async () => {
    const fake = fakeSelf(JSON.stringify({ data: { hw: { ram_bytes: 8 }, os: { name: "Debian" }, net: { interfaces: [] }, sw: { apps: [] } }, errors: {} }));
    const collect = childProcessCollector(fake.self);
    const [hw, os] = await Promise.all([collect("hw"), collect("os"), collect("net"), collect("sw")]);
    expect([hw, os]).toEqual([{ ram_bytes: 8 }, { name: "Debian" }]);
    expect(fake.calls()).toEqual([["inventory", "hw", "sw", "net", "os"]]);
    await collect("hw");
    expect(fake.calls()).toHaveLength(2);
  });

  it("fails a category with the reason the child gave, and the others still succeed", async () => {
    const collect = childProcessCollector(fakeSelf(JSON.stringify({ data: { os: { name: "x" } }, errors: { sw: "dpkg-query: not found" } })).self);
    await expect(collect("sw")).rejects.toThrow("dpkg-query: not found");
    await expect(collect("os")).resolves.toEqual({ name: "x" });
  });

  it("rejects output that is not an inventory, and a child that fails", async () => {
    await expect(childProcessCollector(fakeSelf("oops").self)("hw")).rejects.toThrow(/printed no inventory/);
    await expect(childProcessCollector({ file: process.execPath, args: ["-e", "process.exit(3)"] })("hw")).rejects.toThrow(/kanade-agent inventory failed/);
  });
});
