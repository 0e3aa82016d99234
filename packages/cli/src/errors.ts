/** The one place that turns failures into exit codes and stderr text (SPEC §8: 0 ok, 1 failed, 2 bad input). */
import { CLI_EXIT, type ErrorDetail } from "@kanade/protocol";
import { CommanderError } from "commander";

export type ExitCode = (typeof CLI_EXIT)[keyof typeof CLI_EXIT];

/** API error codes that mean "you asked for something malformed" even if a proxy rewrote the status. */
const BAD_INPUT_CODES = new Set(["BAD_REQUEST", "INVALID_MANIFEST", "NO_TARGET", "INVALID_CONFIG"]);

export interface CliErrorOptions {
  /** Stable code: an API error code (`JOB_NOT_FOUND`), or a local one (`BAD_INPUT`, `NETWORK`). */
  code?: string;
  /** HTTP status when the error came from the backend. */
  status?: number;
  details?: ErrorDetail[];
  cause?: unknown;
}

/** Every failure the CLI reports on purpose. */
export class CliError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly details: ErrorDetail[];
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.code = options.code ?? "FAILED";
    this.status = options.status;
    this.details = options.details ?? [];
  }
}

/** Bad arguments or an invalid file: exit 2, and nothing was sent. */
export const badInput = (message: string, details?: ErrorDetail[]): CliError =>
  new CliError(message, { code: "BAD_INPUT", ...(details ? { details } : {}) });

/** Commander signals help/version through exitOverride with these codes; they are not failures. */
const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) {
    return COMMANDER_OK.has(err.code) && err.exitCode === 0 ? CLI_EXIT.OK : CLI_EXIT.BAD_INPUT;
  }
  if (err instanceof CliError) {
    if (err.code === "BAD_INPUT" || BAD_INPUT_CODES.has(err.code) || err.status === 400) return CLI_EXIT.BAD_INPUT;
    return CLI_EXIT.FAILED;
  }
  return CLI_EXIT.FAILED;
}

/** `error: <message>` then one `  <path>: <message>` line per detail. */
export function formatError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = [`error: ${message}`];
  if (err instanceof CliError) {
    for (const d of err.details) lines.push(d.path ? `  ${d.path}: ${d.message}` : `  ${d.message}`);
  }
  return lines.join("\n") + "\n";
}
