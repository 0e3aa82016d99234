import type { Platform } from "./types.js";
import { posixPlatform } from "./posix.js";
import { windowsPlatform } from "./windows.js";
import { seedStoreFor, type SeedStore } from "./seed-store.js";
import {
  ENROLL_CREDS_VALUE,
  ENROLL_TOKEN_VALUE,
  NATS_CA_VALUE,
  readRegistryNatsToken,
  readRegistryString,
  writeRegistryString,
  type RegQuery,
} from "./windows-registry.js";
import { uidSockets, type KlpEndpointOptions, type KlpEndpoints } from "./klp-sockets.js";
import { pipeRelay } from "./klp-relay.js";

export type { Argv, KillReport, Platform } from "./types.js";
export type { ReapOutcome, SpawnedProcess } from "./orphans.js";

export function currentPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  return process.platform === "win32" ? windowsPlatform(env) : posixPlatform(env);
}

/**
 * Where the OS keeps agent settings that are in neither the env nor the TOML file (what the Windows
 * deploy script stores). Each is called only when env and TOML have none; undefined when none is stored.
 */
export interface PlatformSecrets {
  natsToken(): string | undefined;
  /** The enrollment token (`EnrollToken`). */
  enrollToken(): string | undefined;
  /** Path of the CA file for a `tls://` broker (`NatsCa`). */
  natsCa(): string | undefined;
  /** Path of the enrollment `.creds` file (`EnrollCreds`). */
  enrollCreds(): string | undefined;
}

/** The registry (`HKLM\SOFTWARE\Kanade\agent`) on Windows; nothing elsewhere. `query` stands in for reg.exe in tests. */
export function platformSecrets(platform: NodeJS.Platform = process.platform, query?: RegQuery): PlatformSecrets {
  if (platform !== "win32") return { natsToken: () => undefined, enrollToken: () => undefined, natsCa: () => undefined, enrollCreds: () => undefined };
  return {
    natsToken: () => readRegistryNatsToken(query),
    enrollToken: () => readRegistryString(ENROLL_TOKEN_VALUE, query),
    natsCa: () => readRegistryString(NATS_CA_VALUE, query),
    enrollCreds: () => readRegistryString(ENROLL_CREDS_VALUE, query),
  };
}

export type { SeedStore } from "./seed-store.js";

/** Where this agent's enrollment seed lives on this OS (see seed-store.ts). */
export function agentSeedStore(dataDir: string, platform: NodeJS.Platform = process.platform): SeedStore {
  return seedStoreFor(platform, dataDir, { read: (name) => readRegistryString(name), write: (name, data) => writeRegistryString(name, data) });
}

export type { KlpEndpointOptions, KlpEndpoints } from "./klp-sockets.js";

export { DEFAULT_KLP_PIPE } from "./klp-relay.js";

/**
 * The local protocol's listening endpoints on this OS. POSIX: one socket per uid. Windows: Node's pipes
 * expose neither the handle nor the client's token, so a PowerShell relay child owns the pipe and reads
 * each client's SID (klp-relay.ts). Kept as a union for an OS with neither.
 */
export function klpEndpoints(opts: KlpEndpointOptions, platform: NodeJS.Platform = process.platform): KlpEndpoints | { unsupported: string } {
  if (platform === "win32") return pipeRelay(opts);
  return uidSockets(opts);
}
