/**
 * Calls that run a fixed delay after they were scheduled, unless cancelled first, all on one timer: the
 * delay is the same for every call, so they fall due in the order they were scheduled. One per delay for
 * the process (`delayedCalls`), so thousands of simulated PCs share it as a real agent's runs do.
 */
export interface Cancellable {
  cancel(): void;
}

export class DelayedCalls {
  private queue: { due: number; fn: (() => void) | undefined }[] = [];
  /** Index of the first entry not yet due. */
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  schedule(fn: () => void): Cancellable {
    const entry: { due: number; fn: (() => void) | undefined } = { due: this.now() + this.delayMs, fn };
    this.queue.push(entry);
    if (!this.timer) this.arm(this.delayMs);
    // Dropping the function lets what it holds go; the entry itself leaves the queue when due.
    return { cancel: () => void (entry.fn = undefined) };
  }

  /** Calls scheduled and neither run nor due yet (cancelled ones included until due). */
  size(): number {
    return this.queue.length - this.head;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.ceil(ms)));
    // Pending calls never keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  /** Runs what is due; the queue stays consistent (and armed) even if a call throws. */
  private fire(): void {
    this.timer = undefined;
    const now = this.now();
    try {
      while (this.head < this.queue.length && this.queue[this.head]!.due <= now) {
        const entry = this.queue[this.head++]!;
        const fn = entry.fn;
        entry.fn = undefined;
        fn?.();
      }
    } finally {
      this.rearm(now);
    }
  }

  private rearm(now: number): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      return;
    }
    if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (!this.timer) this.arm(this.queue[this.head]!.due - now);
  }
}

const shared = new Map<number, DelayedCalls>();

/** The process's queue for `delayMs`. */
export function delayedCalls(delayMs: number): DelayedCalls {
  let q = shared.get(delayMs);
  if (!q) shared.set(delayMs, (q = new DelayedCalls(delayMs)));
  return q;
}
