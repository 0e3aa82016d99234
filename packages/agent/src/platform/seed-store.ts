/**
 * Where the agent keeps the seed (private key) of the key pair it enrolled with: on Windows the registry
 * (`HKLM\SOFTWARE\Kanade\agent`, value `AgentSeed`, which the install restricts to SYSTEM and
 * Administrators), elsewhere `<data_dir>/state/agent.nk` with mode 0600. The seed never leaves the PC.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";
import { AGENT_REGISTRY_KEY, AGENT_SEED_VALUE } from "./windows-registry.js";

export interface SeedStore {
  /** Where it lives, for messages. */
  readonly where: string;
  read(): string | undefined;
  write(seed: string): void;
}

export interface RegistryAccess {
  read(name: string): string | undefined;
  write(name: string, data: string): void;
}

export function seedStoreFor(platform: NodeJS.Platform, dataDir: string, registry: RegistryAccess): SeedStore {
  if (platform === "win32") {
    return {
      where: `${AGENT_REGISTRY_KEY}\\${AGENT_SEED_VALUE}`,
      read: () => registry.read(AGENT_SEED_VALUE),
      write: (seed) => registry.write(AGENT_SEED_VALUE, seed),
    };
  }
  const file = join(dataDir, "state", "agent.nk");
  return {
    where: file,
    read: () => (existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined),
    write: (seed) => {
      mkdirPrivate(join(dataDir, "state"));
      writeFileAtomicSync(file, `${seed}\n`);
    },
  };
}
