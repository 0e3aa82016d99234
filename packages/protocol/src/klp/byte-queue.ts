/**
 * The bytes of a stream not yet cut into frames, for length-prefixed decoders (KLP frames, the Windows relay's
 * mux): look at the next header without copying when it sits in one chunk, take a whole frame, drop everything.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.count += chunk.length;
  }

  /** The first `n` bytes, left in the queue (the caller checks `length >= n` first). */
  peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  /** Removes and returns the first `n` bytes as a buffer of their own. */
  take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const head = Buffer.from(joined.subarray(0, n));
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.count = rest.length;
    return head;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }
}
