import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AGENT_UPDATE_EXIT } from "@kanade/protocol/wire";
import { tempDir, type TempDir } from "@kanade/testkit";
import { defaultConfigPath, defaultDataDir } from "../config.js";
import { AGENT_VERSION } from "../version.js";
import { MAX_FAILED_STARTS } from "./boot-guard.js";
import { BOOT_RESTART_EXIT, bootAgent, bootSettings, runsAgent, type ProgramModule } from "./boot.js";
import { loadState, saveState, statePath } from "./state.js";

let dir: TempDir;
const log = pino({ level: "silent" });

beforeEach(() => {
  dir = tempDir("kanade-boot-");
});

afterEach(() => dir.remove());

const argv = (...args: string[]): string[] => ["node", "kanade-agent", ...args];

describe("bootSettings", () => {
  it("uses the env first, then the file, then the same defaults as config.ts", () => {
    const file = join(dir.path, "agent.toml");
    writeFileSync(file, 'data_dir = "/srv/kanade"\nlog = "debug"\n');
    expect(bootSettings({ KANADE_AGENT_CONFIG: file, KANADE_AGENT_DATA_DIR: "/env/dir" }, "linux").dataDir).toBe("/env/dir");
    expect(bootSettings({ KANADE_AGENT_CONFIG: file }, "linux")).toMatchObject({ dataDir: "/srv/kanade", logLevel: "debug" });
    for (const platform of ["linux", "win32"] as const) {
      const env = { ProgramData: "D:\\PD" };
      const s = bootSettings(env, platform);
      expect(s.configPath).toBe(defaultConfigPath(platform, env));
      expect(s.dataDir).toBe(defaultDataDir(platform, env));
    }
  });

  it("reads data_dir from a file the strict config would reject (an unknown key)", () => {
    const file = join(dir.path, "agent.toml");
    writeFileSync(file, 'data_dir = "/srv/kanade"\nkey_only_a_newer_build_knows = true\n');
    expect(bootSettings({ KANADE_AGENT_CONFIG: file }, "linux").dataDir).toBe("/srv/kanade");
  });

  it("falls back to the default when the file does not parse", () => {
    const file = join(dir.path, "agent.toml");
    writeFileSync(file, "data_dir = \n");
    const s = bootSettings({ KANADE_AGENT_CONFIG: file }, "linux");
    expect(s.dataDir).toBe("/var/lib/kanade-agent");
    expect(s.fileError).toBeInstanceOf(Error);
  });

  it("uses the protocol's update exit code", () => {
    expect(BOOT_RESTART_EXIT).toBe(AGENT_UPDATE_EXIT);
  });
});

describe("runsAgent", () => {
  it("is true for the agent itself, not for other commands, help or version", () => {
    expect(runsAgent(argv())).toBe(true);
    expect(runsAgent(argv("run"))).toBe(true);
    expect(runsAgent(argv("simulate", "--count", "3"))).toBe(false);
    expect(runsAgent(argv("--version"))).toBe(false);
    expect(runsAgent(argv("run", "--help"))).toBe(false);
  });
});

describe("bootAgent", () => {
  const env = (): NodeJS.ProcessEnv => ({ KANADE_AGENT_DATA_DIR: dir.path, KANADE_AGENT_CONFIG: join(dir.path, "none.toml") });
  const trial = (attempts: number): void =>
    saveState(dir.path, { pending: { version: AGENT_VERSION, from_version: "0.0.1", attempts }, quarantined: [] });
  const okProgram = (): { load: () => Promise<ProgramModule>; runProgram: ReturnType<typeof vi.fn> } => {
    const runProgram = vi.fn(async () => {});
    return { runProgram, load: async () => ({ runProgram }) };
  };

  it("counts the start before the program loads, and a program that throws while loading exits 1", async () => {
    trial(0);
    const exit = vi.fn();
    await bootAgent(() => Promise.reject(new Error("broken at import")), { argv: argv(), env: env(), exit, log });
    expect(exit).toHaveBeenCalledWith(1);
    expect(loadState(dir.path).pending?.attempts).toBe(1);
  });

  it("at the limit with no previous build to roll back to, quarantines and goes on", async () => {
    trial(MAX_FAILED_STARTS);
    const exit = vi.fn();
    const p = okProgram();
    await bootAgent(p.load, { argv: argv(), env: { ...env(), KANADE_AGENT_EXE: join(dir.path, "agent") }, exit, log });
    expect(loadState(dir.path)).toEqual({ quarantined: [AGENT_VERSION] });
    expect(exit).not.toHaveBeenCalled();
    expect(p.runProgram).toHaveBeenCalled();
  });

  it("exits 64 without loading the program when it rolled back", async () => {
    trial(MAX_FAILED_STARTS);
    const exe = join(dir.path, "agent");
    writeFileSync(exe, "new");
    writeFileSync(`${exe}.old`, "previous");
    const exit = vi.fn();
    const load = vi.fn(() => Promise.reject(new Error("must not load")));
    await bootAgent(load, { argv: argv(), env: { ...env(), KANADE_AGENT_EXE: exe }, exit, log });
    expect(exit).toHaveBeenCalledWith(64);
    expect(load).not.toHaveBeenCalled();
  });

  it("starts the program with the guard's view when the state file is damaged", async () => {
    mkdirSync(join(dir.path, "self-update"), { recursive: true });
    writeFileSync(statePath(dir.path), "\u0000\u0000garbage");
    const exit = vi.fn();
    const p = okProgram();
    await bootAgent(p.load, { argv: argv(), env: env(), exit, log });
    expect(exit).not.toHaveBeenCalled();
    expect(p.runProgram).toHaveBeenCalledWith(argv(), expect.objectContaining({ dataDir: dir.path, version: AGENT_VERSION }));
  });

  it("does not touch the trial for --version", async () => {
    trial(0);
    const p = okProgram();
    await bootAgent(p.load, { argv: argv("--version"), env: env(), exit: vi.fn(), log });
    expect(p.runProgram).toHaveBeenCalledWith(argv("--version"), undefined);
    expect(loadState(dir.path).pending?.attempts).toBe(0);
  });
});
