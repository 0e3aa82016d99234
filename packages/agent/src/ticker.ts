/** A repeating timer whose period can change while it runs (config changes take effect at once). */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private periodMs: number;

  constructor(periodMs: number, private readonly tick: () => void) {
    this.periodMs = periodMs;
  }

  start(): void {
    this.schedule();
  }

  get period(): number {
    return this.periodMs;
  }

  /** Changes the period; the next tick comes one new period from now. */
  setPeriod(periodMs: number): void {
    if (periodMs === this.periodMs) return;
    this.periodMs = periodMs;
    if (this.timer) this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.schedule();
      this.tick();
    }, this.periodMs);
    this.timer.unref?.();
  }
}
