/**
 * Restarting into a new build at once under a service manager. The agent exits 64 so the service
 * manager starts it again, but WinSW (and systemd with RestartSec) treat that exit as a crash and wait
 * the first failure delay (5 s) — and count it as a failure. When the service definition names a way
 * to restart the service (KANADE_SERVICE_RESTART: WinSW's `restart!`, or `systemctl restart --no-block`),
 * the agent runs it instead; the service manager then stops the agent (Ctrl+C / SIGTERM → a clean stop,
 * exit 0) and starts the new build straight away. If nothing stops the agent in time, it exits 64 anyway.
 */
import { spawn } from "node:child_process";
import type { Argv } from "../platform/types.js";

export const SERVICE_RESTART_ENV = "KANADE_SERVICE_RESTART";
/** How long the agent waits to be stopped after asking for a restart, before exiting 64 itself. */
export const SERVICE_RESTART_WAIT_MS = 60_000;

/**
 * A command line as written in a service definition: a program (double-quoted if it has spaces)
 * followed by space-separated arguments. Undefined when empty.
 */
export function parseCommandLine(text: string | undefined): Argv | undefined {
  const t = text?.trim() ?? "";
  if (t === "") return undefined;
  let file: string;
  let rest: string;
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    if (end < 0) return undefined;
    file = t.slice(1, end);
    rest = t.slice(end + 1);
  } else {
    const space = t.search(/\s/);
    file = space < 0 ? t : t.slice(0, space);
    rest = space < 0 ? "" : t.slice(space);
  }
  return file === "" ? undefined : { file, args: rest.split(/\s+/).filter((a) => a !== "") };
}

/**
 * Runs the configured restart command, detached so the service manager's stop does not take it down
 * with the agent. Resolves true once it is started, false when none is configured or it cannot start.
 */
export function requestServiceRestart(env: NodeJS.ProcessEnv, log: { info(o: object, m: string): void; warn(o: object, m: string): void }): Promise<boolean> {
  const argv = parseCommandLine(env[SERVICE_RESTART_ENV]);
  if (!argv) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(argv.file, argv.args, { detached: true, stdio: "ignore", windowsHide: true });
    child.once("error", (err) => {
      log.warn({ err, command: argv }, "could not ask the service manager for a restart; exiting 64 instead");
      resolve(false);
    });
    child.once("spawn", () => {
      log.info({ command: argv }, "asked the service manager to restart the agent now");
      child.unref();
      resolve(true);
    });
  });
}
