/** What every command needs, passed explicitly so tests can substitute time and output. */
import type { Command } from "commander";
import type { CliApi } from "./api.js";
import type { Io } from "./output.js";

export interface Deps {
  /** The backend, through the typed client (see api.ts). */
  client: CliApi;
  io: Io;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

/** Adds the `--json` flag every command takes. */
export function withJson(cmd: Command): Command {
  return cmd.option("--json", "print machine-readable JSON on stdout");
}

/** `--json` given on the command or before it (`kanade --json job list`). */
export function wantsJson(cmd: Command): boolean {
  return cmd.optsWithGlobals<{ json?: boolean }>().json === true;
}
