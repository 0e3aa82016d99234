/** The session token `kanade login` keeps for later commands: `~/.config/kanade/token`, mode 0600. */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { ClientConfig } from "./api.js";

/** `$XDG_CONFIG_HOME/kanade/token`, else `~/.config/kanade/token` (`%APPDATA%\kanade\token` on Windows). */
export function tokenPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME?.trim() || (process.platform === "win32" && env.APPDATA ? env.APPDATA : join(homedir(), ".config"));
  return join(base, "kanade", "token");
}

export function readStoredToken(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return text.trim() || undefined;
}

export function writeStoredToken(path: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, token + "\n", { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file; make sure it is private either way.
  chmodSync(path, 0o600);
}

export function removeStoredToken(path: string): void {
  rmSync(path, { force: true });
}

/** KANADE_AUTH_TOKEN wins; otherwise the token saved by `kanade login`, if any. */
export function withStoredToken(config: ClientConfig, env: NodeJS.ProcessEnv): ClientConfig {
  if (config.token) return config;
  const token = readStoredToken(tokenPath(env));
  return token ? { ...config, token, tokenSource: "login" } : config;
}
