/** Where the command-signing keys live: configured, else `command-keys/` beside the SQLite file. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { sqlitePath, type BackendConfig } from "../config.js";

export function commandKeysDir(config: Pick<BackendConfig, "commandKeysDir" | "databaseUrl">): string {
  if (config.commandKeysDir) return config.commandKeysDir;
  const db = sqlitePath(config.databaseUrl);
  // An in-memory database has nowhere to keep keys: they live as long as the process.
  if (db === ":memory:") return mkdtempSync(join(tmpdir(), "kanade-command-keys-"));
  return join(dirname(resolve(db)), "command-keys");
}
