/**
 * Startup tried again while the broker cannot answer. `bootstrapWhenReady` already waits for JetStream, but with a
 * cluster node down (or a loaded machine) a later startup call — a KV watch, the audit stream's consumer — can still
 * time out while the meta leader catches up. Such a timeout is the broker being slow, not a fault of ours, so the
 * backend undoes its half-start (startBackend does that on any failure) and starts again instead of exiting.
 */
import type { Logger } from "pino";

export interface StartRetryOptions {
  /** True for errors worth another attempt (timeouts, no responders); anything else is thrown at once. */
  retryable(err: unknown): boolean;
  log: Pick<Logger, "warn">;
  delayMs?: number;
  /** Checked before each new attempt: false ends the loop with the last error (e.g. a stop was asked for). */
  keepTrying?: () => boolean;
}

const DEFAULT_DELAY_MS = 2_000;

export async function startWithRetry<T>(start: () => Promise<T>, opts: StartRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!opts.retryable(err) || opts.keepTrying?.() === false) throw err;
      opts.log.warn({ err, attempt }, "the broker did not answer in time during startup; starting again");
      await new Promise((r) => setTimeout(r, opts.delayMs ?? DEFAULT_DELAY_MS));
    }
  }
}
