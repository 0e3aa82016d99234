import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { markHealthy, MAX_FAILED_STARTS, runBootGuard, type ExeFs } from "./boot-guard.js";
import { loadState, saveState, statePath } from "./state.js";

const errno = (code: string, syscall: string, path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: operation not permitted, ${syscall} '${path}'`), { code, syscall, path });

/**
 * Files by path, each with the build it holds. Like Windows, the image of the running build may be
 * renamed, but replacing or deleting it fails with EPERM.
 */
class WindowsLikeFs implements ExeFs {
  readonly files = new Map<string, string>();
  failRename: ((from: string, to: string) => NodeJS.ErrnoException | undefined) | undefined;

  constructor(public running: string) {}

  existsSync(path: string): boolean {
    return this.files.has(path);
  }

  renameSync(from: string, to: string): void {
    const build = this.files.get(from);
    if (build === undefined) throw errno("ENOENT", "rename", from);
    if (this.files.get(to) === this.running) throw errno("EPERM", "rename", to);
    const injected = this.failRename?.(from, to);
    if (injected) throw injected;
    this.files.delete(from);
    this.files.set(to, build);
  }

  rmSync(path: string): void {
    if (this.files.get(path) === this.running) throw errno("EPERM", "unlink", path);
    this.files.delete(path);
  }
}

const EXE = "C:\\Program Files\\Kanade\\kanade-agent.exe";
let dir: TempDir;
let lines: string[];
let log: Logger;

beforeEach(() => {
  dir = tempDir("kanade-boot-guard-");
  lines = [];
  log = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
});

afterEach(() => dir.remove());

/** v3 swapped in over v2 and has used up its starts; it is the running image. */
function exhaustedTrial(): WindowsLikeFs {
  const fs = new WindowsLikeFs("v3");
  fs.files.set(EXE, "v3");
  fs.files.set(`${EXE}.old`, "v2");
  saveState(dir.path, { pending: { version: "3.0.0", from_version: "2.0.0", attempts: MAX_FAILED_STARTS }, quarantined: [] });
  return fs;
}

describe("boot guard rollback", () => {
  it("counts starts of the build on trial", () => {
    saveState(dir.path, { pending: { version: "3.0.0", from_version: "2.0.0", attempts: 0 }, quarantined: [] });
    expect(runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log }).action).toBe("continue");
    expect(loadState(dir.path).pending?.attempts).toBe(1);
  });

  it("rolls back while the failing build is the running image (Windows: move it aside, never overwrite it)", () => {
    const fs = exhaustedTrial();
    const decision = runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log, fs });
    expect(decision.action).toBe("restart");
    expect(Object.fromEntries(fs.files)).toEqual({ [EXE]: "v2", [`${EXE}.bad`]: "v3" });
    expect(loadState(dir.path)).toEqual({ quarantined: ["3.0.0"] });
  });

  it("replaces a leftover <exe>.bad from an earlier rollback", () => {
    const fs = exhaustedTrial();
    fs.files.set(`${EXE}.bad`, "v1");
    expect(runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log, fs }).action).toBe("restart");
    expect(Object.fromEntries(fs.files)).toEqual({ [EXE]: "v2", [`${EXE}.bad`]: "v3" });
  });

  it("when the rollback fails, still quarantines, puts the build back and keeps running instead of exiting", () => {
    const fs = exhaustedTrial();
    fs.failRename = (from) => (from === `${EXE}.old` ? errno("EACCES", "rename", from) : undefined);
    const decision = runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log, fs });
    expect(decision.action).toBe("continue");
    expect(Object.fromEntries(fs.files)).toEqual({ [EXE]: "v3", [`${EXE}.old`]: "v2" });
    expect(loadState(dir.path)).toEqual({ quarantined: ["3.0.0"] });
    expect(lines.join("")).toContain("could not roll back the updated build");
    // The next start is not stuck at the limit: no trial is pending any more.
    expect(runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log, fs }).action).toBe("continue");
  });

  it("the previous build, once healthy, removes the rolled-back build it replaced", () => {
    const fs = exhaustedTrial();
    runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log, fs });
    fs.running = "v2";
    expect(runBootGuard({ dataDir: dir.path, exePath: EXE, version: "2.0.0", log, fs }).action).toBe("continue");
    markHealthy({ dataDir: dir.path, exePath: EXE, version: "2.0.0", log, fs });
    expect(Object.fromEntries(fs.files)).toEqual({ [EXE]: "v2" });
    expect(loadState(dir.path)).toEqual({ quarantined: ["3.0.0"] });
  });
});

describe("a damaged state file", () => {
  it.each([["not json", "{not json"], ["wrong shape", '{"pending":{"version":3}}']])("(%s) is moved aside and read as no trial", (_name, text) => {
    mkdirSync(join(dir.path, "self-update"), { recursive: true });
    writeFileSync(statePath(dir.path), text);
    expect(runBootGuard({ dataDir: dir.path, exePath: EXE, version: "3.0.0", log }).action).toBe("continue");
    expect(existsSync(statePath(dir.path))).toBe(false);
    expect(readdirSync(join(dir.path, "self-update")).filter((f) => f.startsWith("state.json.damaged-"))).toHaveLength(1);
    expect(lines.join("")).toContain("self-update state is unreadable");
    expect(() => markHealthy({ dataDir: dir.path, exePath: undefined, version: "3.0.0", log })).not.toThrow();
  });
});
