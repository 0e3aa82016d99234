/** Where the command-signing keys live: configured, else `command-keys/` in the state directory (config.ts `stateDir`). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stateDir, type BackendConfig } from "../config.js";

export function commandKeysDir(config: Pick<BackendConfig, "commandKeysDir" | "databaseUrl" | "stateDir">): string {
  if (config.commandKeysDir) return config.commandKeysDir;
  const dir = stateDir(config);
  // An in-memory database has nowhere to keep keys: they live as long as the process.
  if (dir === undefined) return mkdtempSync(join(tmpdir(), "kanade-command-keys-"));
  return join(dir, "command-keys");
}
