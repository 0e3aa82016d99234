import type { Platform } from "./types.js";
import { posixPlatform } from "./posix.js";
import { windowsPlatform } from "./windows.js";
import { readRegistryNatsToken } from "./windows-registry.js";

export type { Argv, KillReport, Platform } from "./types.js";
export type { ReapOutcome, SpawnedProcess } from "./orphans.js";

export function currentPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  return process.platform === "win32" ? windowsPlatform(env) : posixPlatform(env);
}

/** Where the OS keeps agent secrets that are in neither the env nor the TOML file. */
export interface PlatformSecrets {
  /** The NATS token, or undefined when none is stored. Called only when env and TOML have none. */
  natsToken(): string | undefined;
}

/** The registry (`HKLM\SOFTWARE\Kanade\agent`) on Windows; nothing elsewhere. */
export function platformSecrets(platform: NodeJS.Platform = process.platform): PlatformSecrets {
  return platform === "win32" ? { natsToken: () => readRegistryNatsToken() } : { natsToken: () => undefined };
}
