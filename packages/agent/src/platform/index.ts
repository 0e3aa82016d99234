import type { Platform } from "./types.js";
import { posixPlatform } from "./posix.js";
import { windowsPlatform } from "./windows.js";
import { seedStoreFor, type SeedStore } from "./seed-store.js";
import { readRegistryNatsToken, readRegistryString, writeRegistryString } from "./windows-registry.js";
import { uidSockets, type KlpEndpointOptions, type KlpEndpoints } from "./klp-sockets.js";

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

export type { SeedStore } from "./seed-store.js";

/** Where this agent's enrollment seed lives on this OS (see seed-store.ts). */
export function agentSeedStore(dataDir: string, platform: NodeJS.Platform = process.platform): SeedStore {
  return seedStoreFor(platform, dataDir, { read: (name) => readRegistryString(name), write: (name, data) => writeRegistryString(name, data) });
}

export type { KlpEndpointOptions, KlpEndpoints } from "./klp-sockets.js";

/**
 * The local protocol's listening endpoints on this OS, or a reason there are none. Windows needs a pipe
 * server that owns its handles in native code to read the client's token (Node's pipes expose neither
 * the handle nor the client), which this build does not have yet.
 */
export function klpEndpoints(opts: KlpEndpointOptions, platform: NodeJS.Platform = process.platform): KlpEndpoints | { unsupported: string } {
  if (platform === "win32") return { unsupported: "the KLP named-pipe server (client SID from the pipe token) is not built yet on Windows" };
  return uidSockets(opts);
}
