/** Exit codes of results published *instead of* running (all with `status: skipped`). */
export const SKIP_EXIT = {
  /** The command's signature, target binding or expiry did not verify: the agent ran nothing. */
  UNTRUSTED: 121,
  UNSUPPORTED: 122,
  VERSION_MISMATCH: 124,
  DEADLINE_PASSED: 125,
  REVOKED: 126,
  STALENESS: 127,
} as const;
export type SkipExitCode = (typeof SKIP_EXIT)[keyof typeof SKIP_EXIT];

/** The agent exits with this code after swapping in a new binary, so the service manager restarts it. */
export const AGENT_UPDATE_EXIT = 64;

/** CLI exit codes (SPEC §8). */
export const CLI_EXIT = { OK: 0, FAILED: 1, BAD_INPUT: 2 } as const;

/** Inline cap for stdout and stderr in an ExecResult; the rest goes to `result_output`. */
export const INLINE_OUTPUT_CAP_BYTES = 256 * 1024;
