/** Where the client finds the agent, and how it was asked to start. */
import { readFileSync } from "node:fs";
import { z } from "zod";

/** Set by the release build (esbuild `define`); the single executable has no package.json beside it. */
declare const __KANADE_CLIENT_VERSION__: string | undefined;

export const CLIENT_VERSION: string =
  typeof __KANADE_CLIENT_VERSION__ === "string"
    ? __KANADE_CLIENT_VERSION__
    : (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

const argsSchema = z.object({
  open: z.boolean(),
  tray: z.boolean(),
  version: z.boolean(),
  socket: z.string().min(1).optional(),
  browser: z.string().min(1).optional(),
});
export type ClientArgs = z.infer<typeof argsSchema>;

const USAGE = "kanade-client [--no-open] [--no-tray] [--socket <path>] [--browser <exe>] | --version";

/** `--no-open`, `--no-tray`, `--socket <path>`, `--browser <exe>`, `--version`; anything else is an error naming it. */
export function parseArgs(argv: readonly string[]): ClientArgs {
  const out: { open: boolean; tray: boolean; version: boolean; socket?: string; browser?: string } = { open: true, tray: true, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--no-open") out.open = false;
    else if (a === "--no-tray") out.tray = false;
    else if (a === "--version") out.version = true;
    else if (a === "--socket" || a === "--browser") {
      const v = argv[++i];
      if (!v) throw new Error(`${a}: needs a value`);
      out[a === "--socket" ? "socket" : "browser"] = v;
    } else throw new Error(`${a}: unknown option (${USAGE})`);
  }
  return argsSchema.parse(out);
}

/**
 * The agent's KLP endpoint for this user: on POSIX the per-uid socket in the agent's KLP dir (the kernel lets
 * only this uid in), on Windows the agent's pipe. `KANADE_KLP_DIR` and `KANADE_KLP_PIPE` match the agent's settings.
 */
export function klpEndpoint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, uid: number | undefined): string {
  if (env.KANADE_CLIENT_SOCKET) return env.KANADE_CLIENT_SOCKET;
  if (platform === "win32") return env.KANADE_KLP_PIPE ?? "\\\\.\\pipe\\kanade-agent";
  return `${env.KANADE_KLP_DIR ?? "/run/kanade/klp"}/${uid ?? 0}.sock`;
}
