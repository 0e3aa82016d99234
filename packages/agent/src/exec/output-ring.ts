/**
 * The newest bytes of one output stream of a running script, for live tails (issue 17 §2). Bounded: older bytes
 * fall out, and `read` says how many a follower missed. Offsets count every byte the stream ever wrote.
 */
import type { StreamTail } from "@kanade/protocol/wire";

export class OutputRing {
  private chunks: Buffer[] = [];
  private held = 0;
  /** Bytes written since the run began (the offset just past the newest byte). */
  private total = 0;

  constructor(private readonly capBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.held += chunk.length;
    this.total += chunk.length;
    while (this.held - (this.chunks[0]?.length ?? 0) >= this.capBytes) this.held -= this.chunks.shift()!.length;
  }

  /** What came after byte `from`, cut to whole UTF-8 characters (a split character waits for the next read). */
  read(from: number, maxBytes: number): StreamTail {
    const first = this.total - this.held;
    const start = Math.min(Math.max(from, first), this.total);
    let bytes = Buffer.concat(this.chunks).subarray(start - first);
    let begin = start;
    // A start inside a character (after a gap) skips to the next whole one.
    let lead = 0;
    while (lead < bytes.length && lead < 3 && isContinuation(bytes[lead]!)) lead++;
    if (start > from) {
      bytes = bytes.subarray(lead);
      begin += lead;
    }
    if (bytes.length > maxBytes) bytes = bytes.subarray(0, maxBytes);
    bytes = bytes.subarray(0, wholeCharsEnd(bytes));
    return { from: begin, next: begin + bytes.length, skipped: Math.max(0, begin - from), text: bytes.toString("utf8") };
  }
}

const isContinuation = (b: number): boolean => (b & 0xc0) === 0x80;

/** The length of `bytes` without a trailing incomplete UTF-8 sequence. */
function wholeCharsEnd(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if (isContinuation(b)) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}
