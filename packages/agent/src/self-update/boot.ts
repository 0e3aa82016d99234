/**
 * What an agent start runs before the program's own modules: the boot guard, with only node built-ins,
 * the state file, a TOML parser and the logger loaded, then the program by dynamic `import()`. A new
 * build that throws while its modules load, or whose strict config schema rejects a key the previous
 * build accepted, has by then had its start counted, so it is rolled back like any other crash.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { parse as parseToml } from "smol-toml";
import { createLogger } from "../log.js";
import { AGENT_VERSION } from "../version.js";
import { runBootGuard, type BootGuardInput } from "./boot-guard.js";
import { resolveAgentExe } from "./exe.js";

/** AGENT_UPDATE_EXIT from @kanade/protocol, not imported: this path loads nothing it can do without. */
export const BOOT_RESTART_EXIT = 64;

/** What the program needs from the boot guard to end the trial once it is healthy. */
export type BootHandoff = Omit<BootGuardInput, "fs">;

export interface ProgramModule {
  /** Parses argv and runs; reports its own failures and exits non-zero (never rejects). */
  runProgram(argv: readonly string[], boot: BootHandoff | undefined): Promise<void>;
}

export interface BootDeps {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  exit?: (code: number) => void;
  /** Tests pass a logger; otherwise one on stderr at the configured level. */
  log?: Logger;
}

/** Runs the boot guard (for `run`, the default command), then loads and runs the program. */
export async function bootAgent(loadProgram: () => Promise<ProgramModule>, deps: BootDeps = {}): Promise<void> {
  const argv = deps.argv ?? process.argv;
  const env = deps.env ?? process.env;
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  let boot: BootHandoff | undefined;
  if (runsAgent(argv)) {
    const settings = bootSettings(env, deps.platform ?? process.platform);
    const log = deps.log ?? createLogger(settings.logLevel);
    if (settings.fileError && env.KANADE_AGENT_DATA_DIR === undefined) log.warn({ err: settings.fileError, path: settings.configPath }, "cannot read data_dir from the config file; using the default for the boot guard");
    boot = { dataDir: settings.dataDir, exePath: resolveAgentExe(env), version: AGENT_VERSION, log };
    try {
      if (runBootGuard(boot).action === "restart") {
        exit(BOOT_RESTART_EXIT);
        return;
      }
    } catch (err) {
      // The guard must never be the reason an agent does not start.
      log.error({ err, data_dir: boot.dataDir }, "self-update boot guard failed; starting anyway");
    }
  }
  let program: ProgramModule;
  try {
    program = await loadProgram();
  } catch (err) {
    // This start was already counted: the service manager's restart brings the build nearer its rollback.
    if (boot) boot.log.fatal({ err, version: AGENT_VERSION }, "the agent program failed to load");
    else console.error(err);
    exit(1);
    return;
  }
  await program.runProgram(argv, boot);
}

/** `run` or no command: starting the agent itself (not `simulate`, `--help` or `--version`). */
export function runsAgent(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  if (args.some((a) => ["-h", "--help", "-V", "--version"].includes(a))) return false;
  return args[0] === undefined || args[0] === "run";
}

export interface BootSettings {
  dataDir: string;
  logLevel: string;
  configPath: string;
  fileError?: unknown;
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * `data_dir` and `log` resolved as config.ts does (env, then the TOML file, then the platform
 * default), but read leniently: a file the strict schema of a new build rejects must still lead to the
 * same state file, or that build's failed starts are never counted. The defaults are repeated here
 * rather than imported because config.ts loads the protocol and platform modules (boot.test.ts checks
 * they agree).
 */
export function bootSettings(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): BootSettings {
  const programData = env.ProgramData ?? env.PROGRAMDATA ?? "C:\\ProgramData";
  const configPath = env.KANADE_AGENT_CONFIG ?? (platform === "win32" ? join(programData, "Kanade", "agent.toml") : "/etc/kanade/agent.toml");
  const defaultDataDir = platform === "win32" ? join(programData, "Kanade", "agent") : "/var/lib/kanade-agent";
  let file: Record<string, unknown> = {};
  let fileError: unknown;
  try {
    if (env.KANADE_AGENT_CONFIG !== undefined || existsSync(configPath)) file = parseToml(readFileSync(configPath, "utf8"));
  } catch (err) {
    fileError = err;
  }
  const fromFile = (key: string): string | undefined => {
    const v = file[key];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const level = env.KANADE_LOG ?? fromFile("log") ?? "info";
  return {
    dataDir: env.KANADE_AGENT_DATA_DIR ?? fromFile("data_dir") ?? defaultDataDir,
    logLevel: LEVELS.includes(level) ? level : "info",
    configPath,
    ...(fileError !== undefined ? { fileError } : {}),
  };
}
