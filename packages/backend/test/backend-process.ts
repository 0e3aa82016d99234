/**
 * A backend (or simulator) as a real child process, for tests that SIGKILL it: started from the repo's bin with
 * the test's env, and ready once `/health` answers. Its output is kept so a failed start says why.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT, testCommandKeys, waitFor } from "@kanade/testkit";
import { TOKEN } from "./helpers.js";

export function spawnNode(bin: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [`${REPO_ROOT}${bin}`, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

export function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("exit", () => resolve())));
}

export interface BackendProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** What it printed so far (stack traces cut). */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `kanade-backend` on `port` with the static test token and the shared test signing keys; resolves when healthy. */
export async function startBackendProcess(port: number, env: Record<string, string>): Promise<BackendProcess> {
  let out = "";
  const child = spawnNode("packages/backend/bin/kanade-backend.js", [], {
    KANADE_BIND_ADDR: `127.0.0.1:${port}`,
    KANADE_AUTH_STATIC_TOKEN: TOKEN,
    KANADE_LOG: "warn",
    ...testCommandKeys().backendEnv,
    ...env,
  });
  const keep = (d: Buffer): void => void (out += d.toString().split("\n").map((l) => l.replace(/"stack":"[^"]*"/, "")).join("\n"));
  child.stderr?.on("data", keep);
  child.stdout?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  // An exit ends the wait at once (a bad setting exits 2 within a second), with what the backend printed.
  const gone = exited(child).then(() => {
    throw new Error(`the backend exited with ${child.exitCode ?? child.signalCode}: ${out}`);
  });
  const healthy = waitFor(() => fetch(`${url}/health`).then((r) => r.ok, () => false), { timeoutMs: 60_000, what: "the backend to answer /health" });
  healthy.catch(() => undefined);
  await Promise.race([healthy, gone]);
  gone.catch(() => undefined);
  return {
    child,
    url,
    output: () => out,
    kill: async (signal) => {
      child.kill(signal);
      await exited(child);
    },
  };
}
