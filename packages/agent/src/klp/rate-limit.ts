/** At most `limit` requests in any `windowMs` (a sliding window of request times), per connection. */
export class RateWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request; false when it is over the limit (a refused request does not count). */
  take(): boolean {
    const t = this.now();
    while (this.times.length > 0 && this.times[0]! <= t - this.windowMs) this.times.shift();
    if (this.times.length >= this.limit) return false;
    this.times.push(t);
    return true;
  }
}
