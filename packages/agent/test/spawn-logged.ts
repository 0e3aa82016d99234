/** A child process whose stdout and stderr are kept (for a failure message), stopped with SIGTERM then SIGKILL. */
import { spawn, type SpawnOptions } from "node:child_process";

export interface LoggedChild {
  /** Everything it printed so far (stdout and stderr interleaved), the last 16 KiB. */
  output(): string;
  stop(): Promise<void>;
}

export function spawnLogged(file: string, args: string[], opts: SpawnOptions): LoggedChild {
  const child = spawn(file, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (b: Buffer): void => void (out = (out + b.toString("utf8")).slice(-16_384));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
