/** Opens the app window for the platform, detached: closing the window does not stop the client. */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { posixAppWindow, type AppWindowCommand } from "./platform/posix.js";
import { windowsAppWindow, windowsBrowserCandidates } from "./platform/windows.js";

export function appWindowFor(url: string, browser: string | undefined, env: NodeJS.ProcessEnv = process.env): AppWindowCommand | undefined {
  if (process.platform === "win32") {
    const exe = browser ?? windowsBrowserCandidates(env).find((p) => existsSync(p));
    if (!exe) return undefined;
    return windowsAppWindow(url, { browser: exe, profileDir: join(env.LOCALAPPDATA ?? tmpdir(), "kanade", "client-profile") });
  }
  return posixAppWindow(url, { ...(browser ? { browser } : {}), profileDir: join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "kanade-client", "profile") });
}

export function openAppWindow(cmd: AppWindowCommand): void {
  const profile = cmd.args.find((a) => a.startsWith("--user-data-dir="))?.slice("--user-data-dir=".length);
  if (profile) mkdirSync(profile, { recursive: true });
  const child = spawn(cmd.file, cmd.args, { detached: true, stdio: "ignore" });
  child.on("error", (err) => console.error(`kanade-client: cannot start ${cmd.file}: ${err.message}`));
  child.unref();
}
