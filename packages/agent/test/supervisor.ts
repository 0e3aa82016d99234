/**
 * A tiny service manager for tests: runs an executable and starts it again whenever it exits
 * non-zero (as WinSW's `onfailure restart` does, so exit 64 after an update restarts it too).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";

export interface Supervisor {
  /** Exit codes of every run so far, in order. */
  readonly exits: number[];
  stop(): Promise<void>;
}

export function supervise(exe: string, env: NodeJS.ProcessEnv, logFile: string): Supervisor {
  const exits: number[] = [];
  const log: WriteStream = createWriteStream(logFile, { flags: "a" });
  let child: ChildProcess | undefined;
  let stopped = false;
  const start = (): void => {
    child = spawn(exe, [], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.on("exit", (code, signal) => {
      exits.push(code ?? -1);
      log.write(`--- supervisor: exit ${code ?? signal}\n`);
      if (!stopped && code !== 0) setTimeout(start, 200);
    });
  };
  start();
  return {
    exits,
    async stop() {
      stopped = true;
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        await new Promise<void>((resolve) => {
          c.once("exit", () => resolve());
          c.kill("SIGTERM");
        });
      }
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}
