import { chmodSync, closeSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { openPrivateSync, tightenTree } from "./private-files.js";

const mode = (path: string): number => statSync(path).mode & 0o777;
let t: TempDir;

beforeEach(() => {
  t = tempDir("kanade-private-");
});
afterEach(() => t.remove());

/** A data dir as an older build under umask 022 left it, plus a file outside it that a symlink points to. */
function openTree(): { root: string; outside: string } {
  const root = t.join("data");
  mkdirSync(join(root, "state"), { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  writeFileSync(join(root, "state", "handled.json"), "{}", { mode: 0o644 });
  writeFileSync(join(root, "tool"), "#!/bin/sh\n", { mode: 0o775 });
  const outside = t.join("outside.txt");
  writeFileSync(outside, "x", { mode: 0o644 });
  symlinkSync(outside, join(root, "link"));
  return { root, outside };
}

describe("tightenTree", () => {
  it("removes group/other bits from the data dir and everything in it, once", () => {
    const { root, outside } = openTree();
    expect(tightenTree(root).sort()).toEqual([root, join(root, "state"), join(root, "state", "handled.json"), join(root, "tool")].sort());
    expect([mode(root), mode(join(root, "state")), mode(join(root, "state", "handled.json")), mode(join(root, "tool"))]).toEqual([0o700, 0o700, 0o600, 0o700]);
    expect(mode(outside)).toBe(0o644);
    expect(tightenTree(root)).toEqual([]);
  });

  it("creates a missing data dir owner-only", () => {
    const root = t.join("new", "data");
    expect(tightenTree(root)).toEqual([]);
    expect(mode(root)).toBe(0o700);
  });

  it("leaves modes alone on Windows, where ACLs decide", () => {
    const { root } = openTree();
    expect(tightenTree(root, "win32")).toEqual([]);
    expect(mode(root)).toBe(0o755);
  });
});

describe("openPrivateSync", () => {
  it("creates 0600 files and narrows one left over with a wider mode", () => {
    const fresh = t.join("fresh");
    closeSync(openPrivateSync(fresh));
    const old = t.join("old");
    writeFileSync(old, "x", { mode: 0o666 });
    chmodSync(old, 0o666);
    closeSync(openPrivateSync(old));
    expect([mode(fresh), mode(old)]).toEqual([0o600, 0o600]);
  });
});
