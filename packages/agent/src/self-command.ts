/** How to start this very program again (for work done in a short-lived child, like the inventory). */
import { createRequire } from "node:module";
import type { Argv } from "./platform/types.js";

/** True inside a Node single-executable build. */
export function isSea(): boolean {
  try {
    // node:sea exists from Node 20.12; require keeps this synchronous in both ESM and the CJS bundle.
    const sea = createRequire(process.cwd() + "/")("node:sea") as { isSea(): boolean };
    return sea.isSea();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_UNKNOWN_BUILTIN_MODULE" || (err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return false;
    throw err;
  }
}

/**
 * The executable plus what comes before the subcommand: the single executable alone, or node with
 * its flags (minus debugger ones, whose port the child could not bind) and the entry script. Only
 * meaningful in the `kanade-agent` process itself (argv[1] is its entry); undefined when unknown.
 */
export function selfCommand(argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv, sea: boolean = isSea()): Argv | undefined {
  if (sea) return { file: process.execPath, args: [] };
  const entry = argv[1];
  if (!entry) return undefined;
  return { file: process.execPath, args: [...execArgv.filter((a) => !/^--inspect/.test(a)), entry] };
}
