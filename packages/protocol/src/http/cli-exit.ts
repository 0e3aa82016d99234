/** The CLI's exit code for an API error, derived from the code's HTTP status in the catalogue (SPEC §8). */
import { CLI_EXIT } from "../exit-codes.js";
import { ERROR_CODES, isErrorCode, type ErrorCode } from "../errors.js";
import type { ClientErrorCode } from "./api-error.js";

export type CliExitCode = (typeof CLI_EXIT)[keyof typeof CLI_EXIT];

/**
 * Statuses that mean "what you sent is wrong; fix the command or the file and it will work": 400 (malformed,
 * invalid manifest or config, no target), 413 (body too large), 415 (content type not accepted) and 422
 * (asked for something that cannot be answered this way, e.g. a too-large output inline). Everything else
 * is an operation that failed: 401/403 (credentials, role), 404 (absent), 409 (wrong state), 429 (wait),
 * 5xx, and the client's own NETWORK / BAD_RESPONSE / HTTP_ERROR.
 */
const BAD_INPUT_STATUSES: ReadonlySet<number> = new Set([400, 413, 415, 422]);

/** 2 (bad input) for catalogue codes whose status is a bad-input 4xx, 1 (failed) for every other code. */
export function cliExitCodeFor(code: ErrorCode | ClientErrorCode): CliExitCode {
  if (!isErrorCode(code)) return CLI_EXIT.FAILED;
  return BAD_INPUT_STATUSES.has(ERROR_CODES[code].status) ? CLI_EXIT.BAD_INPUT : CLI_EXIT.FAILED;
}
