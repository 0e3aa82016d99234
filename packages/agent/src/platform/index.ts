import type { Platform } from "./types.js";
import { posixPlatform } from "./posix.js";
import { windowsPlatform } from "./windows.js";

export type { Platform } from "./types.js";

export function currentPlatform(env: NodeJS.ProcessEnv = process.env): Platform {
  return process.platform === "win32" ? windowsPlatform(env) : posixPlatform(env);
}
