/** Runs the real `kanade` CLI as a child process (needs `npm run build` first). */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const binPath = (pkg: string, bin: string): string => fileURLToPath(new URL(`../../${pkg}/bin/${bin}.js`, import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Called with each stderr chunk as it arrives, e.g. to act on a URL the command prints and waits on. */
  onStderr?: (chunk: string) => void;
}

/** Runs a workspace binary (`kanade`, `kanade-backend`, `kanade-agent`) to completion. */
export function runBin(pkg: "cli" | "backend" | "agent", bin: string, args: string[], opts: RunOptions = {}): Promise<CliRun> {
  const path = binPath(pkg, bin);
  const built = fileURLToPath(new URL(`../../${pkg}/dist/main.js`, import.meta.url));
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build" before the tests`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
      opts.onStderr?.(d.toString("utf8"));
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${bin} ${args.join(" ")} did not finish in ${opts.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** `kanade <args>` against a backend, with KANADE_BACKEND_URL / KANADE_AUTH_TOKEN set. */
export function runCli(args: string[], opts: RunOptions & { backendUrl?: string; token?: string } = {}): Promise<CliRun> {
  return runBin("cli", "kanade", args, {
    ...opts,
    env: {
      ...(opts.backendUrl ? { KANADE_BACKEND_URL: opts.backendUrl } : {}),
      ...(opts.token ? { KANADE_AUTH_TOKEN: opts.token } : {}),
      ...opts.env,
    },
  });
}
