/** Which file is "the agent executable" that self-update replaces. */
import { createRequire } from "node:module";

/**
 * `KANADE_AGENT_EXE` when set (a wrapper or launcher the service manager starts); otherwise the
 * single-executable build itself. Under plain `node main.js` there is nothing safe to replace.
 */
export function resolveAgentExe(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.KANADE_AGENT_EXE?.trim();
  if (fromEnv) return fromEnv;
  return isSea() ? process.execPath : undefined;
}

function isSea(): boolean {
  try {
    // node:sea exists from Node 20.12; require keeps this synchronous in both ESM and the CJS bundle.
    const sea = createRequire(process.cwd() + "/")("node:sea") as { isSea(): boolean };
    return sea.isSea();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_UNKNOWN_BUILTIN_MODULE" || (err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return false;
    throw err;
  }
}
