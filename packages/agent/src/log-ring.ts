/** The agent's recent log lines, kept in memory so `kanade logs <pc>` can read them through NATS. */
export const LOG_RING_LINES = 2_000;

/** A pino destination that keeps the last `capacity` lines (each a JSON record). */
export class LogRing {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = LOG_RING_LINES) {}

  write(chunk: string): void {
    for (const line of chunk.split("\n")) {
      if (line === "") continue;
      this.lines.push(line);
    }
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** The newest `n` lines, oldest first, trimmed from the oldest side to fit `maxBytes`. */
  tail(n: number, maxBytes = Number.POSITIVE_INFINITY): { lines: string[]; truncated: boolean } {
    const want = this.lines.slice(-n);
    let bytes = 0;
    let start = want.length;
    while (start > 0) {
      const size = Buffer.byteLength(want[start - 1]!) + 3;
      if (bytes + size > maxBytes) break;
      bytes += size;
      start--;
    }
    return { lines: want.slice(start), truncated: start > 0 };
  }
}
