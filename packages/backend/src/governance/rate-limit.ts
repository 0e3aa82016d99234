/** In-memory login throttle: failed attempts per key within a window. Memory is bounded by pruning old keys. */
export interface RateLimiter {
  /** Milliseconds until the key may try again, or 0 when it may try now. */
  retryAfterMs(key: string, now: number): number;
  fail(key: string, now: number): void;
  reset(key: string): void;
}

export function createRateLimiter(opts: { max: number; windowMs: number }): RateLimiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string, now: number): number[] => {
    const list = (failures.get(key) ?? []).filter((t) => now - t < opts.windowMs);
    if (list.length) failures.set(key, list);
    else failures.delete(key);
    return list;
  };
  return {
    retryAfterMs: (key, now) => {
      const list = recent(key, now);
      return list.length >= opts.max ? opts.windowMs - (now - list[0]!) : 0;
    },
    fail: (key, now) => {
      const list = recent(key, now);
      list.push(now);
      failures.set(key, list);
      // Keep the table small under a spray of usernames: drop keys whose window has passed.
      if (failures.size > 10_000) for (const k of [...failures.keys()]) recent(k, now);
    },
    reset: (key) => void failures.delete(key),
  };
}
