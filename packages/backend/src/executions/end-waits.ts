/**
 * `GET /api/executions/{id}?wait_ms=`: the answer waits until the execution has ended (every PC answered, or
 * it was killed, rejected, expired or never sent) or `wait_ms` passed, so a caller that wants the end does not
 * poll. The results projector says which executions it just stored results for, and each request waiting on
 * one reads its state again (the counts are one indexed lookup). What this backend does not see happen itself
 * (another backend's API, an approval expiring) is caught by a re-read every second.
 */

/** How often a waiting request reads its execution again without being told. */
const RECHECK_MS = 1_000;

export interface EndWaits {
  /** Resolves once `ended()` is true (asked now, when told of a change, and every second) or after `ms`. */
  wait(execId: string, ms: number, ended: () => Promise<boolean>): Promise<void>;
  /** These executions' rows changed (results stored, a kill): their waiting requests look again. */
  changed(execIds: Iterable<string>): void;
  /** Answers every wait now (the server is closing: it must not wait up to `ms` for them). */
  releaseAll(): void;
}

export function endWaits(opts: { recheckMs?: number } = {}): EndWaits {
  const recheckMs = opts.recheckMs ?? RECHECK_MS;
  const waiting = new Map<string, Set<() => void>>();
  const releases = new Set<() => void>();
  return {
    wait: (execId, ms, ended) =>
      new Promise<void>((resolve, reject) => {
        let done = false;
        let asking = false;
        let askAgain = false;
        const look = (): void => {
          if (done) return;
          // One read at a time; a change told meanwhile is read once more when it ends.
          if (asking) {
            askAgain = true;
            return;
          }
          asking = true;
          ended().then(
            (yes) => {
              asking = false;
              if (yes) finish();
              else if (askAgain) {
                askAgain = false;
                look();
              }
            },
            (err: unknown) => {
              asking = false;
              finish(err);
            },
          );
        };
        const lookers = waiting.get(execId) ?? new Set<() => void>();
        waiting.set(execId, lookers);
        lookers.add(look);
        const release = (): void => finish();
        releases.add(release);
        const timer = setTimeout(release, ms);
        const recheck = setInterval(look, recheckMs);
        function finish(err?: unknown): void {
          if (done) return;
          done = true;
          clearTimeout(timer);
          clearInterval(recheck);
          releases.delete(release);
          lookers.delete(look);
          if (lookers.size === 0 && waiting.get(execId) === lookers) waiting.delete(execId);
          if (err === undefined) resolve();
          else reject(err instanceof Error ? err : new Error(String(err)));
        }
        look();
      }),
    changed: (execIds) => {
      for (const id of new Set(execIds)) for (const look of waiting.get(id) ?? []) look();
    },
    releaseAll: () => {
      for (const release of [...releases]) release();
    },
  };
}
