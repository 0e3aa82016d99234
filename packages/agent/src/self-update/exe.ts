/** Which file is "the agent executable" that self-update replaces. */
import { isSea } from "../self-command.js";

/**
 * `KANADE_AGENT_EXE` when set (a wrapper or launcher the service manager starts); otherwise the
 * single-executable build itself. Under plain `node main.js` there is nothing safe to replace.
 */
export function resolveAgentExe(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.KANADE_AGENT_EXE?.trim();
  if (fromEnv) return fromEnv;
  return isSea() ? process.execPath : undefined;
}
