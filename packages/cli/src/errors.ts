/** The one place that turns failures into exit codes and stderr text (SPEC §8: 0 ok, 1 failed, 2 bad input). */
import { CLI_EXIT, cliExitCodeFor, type ClientErrorCode, type ErrorCode, type ErrorDetail } from "@kanade/protocol";
import { CommanderError } from "commander";

export type ExitCode = (typeof CLI_EXIT)[keyof typeof CLI_EXIT];

/**
 * Codes the CLI decides itself, without an answer from the API: `BAD_INPUT` (arguments or a file are
 * wrong; nothing was sent), `RUN_FAILED` (a run did not succeed on every PC), `FAILED` (anything else).
 */
export const CLI_LOCAL_CODES = ["BAD_INPUT", "RUN_FAILED", "FAILED"] as const;
export type CliLocalCode = (typeof CLI_LOCAL_CODES)[number];

/** An API error code from the catalogue, a code the API client decides (`NETWORK` …), or a local one. */
export type CliErrorCode = ErrorCode | ClientErrorCode | CliLocalCode;

export interface CliErrorOptions {
  code?: CliErrorCode;
  /** HTTP status when the error came from the backend. */
  status?: number;
  details?: readonly ErrorDetail[];
  cause?: unknown;
}

/** Every failure the CLI reports on purpose. */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly status: number | undefined;
  readonly details: readonly ErrorDetail[];
  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.code = options.code ?? "FAILED";
    this.status = options.status;
    this.details = options.details ?? [];
  }
}

/** Bad arguments or an invalid file: exit 2, and nothing was sent. */
export const badInput = (message: string, details?: readonly ErrorDetail[]): CliError =>
  new CliError(message, { code: "BAD_INPUT", ...(details ? { details } : {}) });

/** Commander signals help/version through exitOverride with these codes; they are not failures. */
const COMMANDER_OK = new Set(["commander.helpDisplayed", "commander.version", "commander.help"]);

const isLocal = (code: CliErrorCode): code is CliLocalCode => (CLI_LOCAL_CODES as readonly string[]).includes(code);

/** Usage errors and `BAD_INPUT` exit 2; an API code exits as its HTTP status says (`cliExitCodeFor`); the rest 1. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) {
    return COMMANDER_OK.has(err.code) && err.exitCode === 0 ? CLI_EXIT.OK : CLI_EXIT.BAD_INPUT;
  }
  if (err instanceof CliError) {
    if (isLocal(err.code)) return err.code === "BAD_INPUT" ? CLI_EXIT.BAD_INPUT : CLI_EXIT.FAILED;
    return cliExitCodeFor(err.code);
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
