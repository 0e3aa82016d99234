/** Child processes and API calls for the chaos bench (the workspace binaries, run as an operator would). */
import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "@kanade/testkit";

export function spawnBin(pkg: string, bin: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [`${REPO_ROOT}packages/${pkg}/bin/${bin}.js`, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", process.env.BENCH_VERBOSE ? "inherit" : "ignore"],
  });
}

export async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once("exit", r));
  c.kill("SIGTERM");
  const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(t);
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "HttpError";
  }
}

export function apiClient(base: string, token: string) {
  return async <T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": contentType }) },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    if (!res.ok) throw new HttpError(res.status, `${method} ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}
