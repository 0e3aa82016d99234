/** Bounded capture of a child's stdout/stderr: keeps the head up to a byte cap and counts the rest. */
import { INLINE_OUTPUT_CAP_BYTES } from "@kanade/protocol/wire";

export interface CapturedText {
  text: string;
  truncated: boolean;
  /** Every byte the stream produced, kept or not. */
  totalBytes: number;
}

export class OutputCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(private readonly capBytes: number = INLINE_OUTPUT_CAP_BYTES) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.capBytes - this.kept;
    if (room <= 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    // Copy a cut slice so the big source chunk can be garbage-collected.
    this.chunks.push(part === chunk ? chunk : Buffer.from(part));
    this.kept += part.length;
  }

  /** Decodes what was kept; callable at any time (a killed run reports what it had so far). */
  result(): CapturedText {
    const bytes = Buffer.concat(this.chunks, this.kept);
    const truncated = this.total > this.kept;
    // Multi-byte characters may be split across chunks or by the cap: decode the joined bytes once,
    // and when the cap cut a character, drop its partial bytes instead of emitting U+FFFD.
    const end = truncated ? charBoundary(bytes, bytes.length) : bytes.length;
    const text = new TextDecoder("utf-8").decode(bytes.subarray(0, end));
    return { text, truncated, totalBytes: this.total };
  }
}

/** The largest index ≤ end that does not split a UTF-8 sequence. */
export function charBoundary(bytes: Uint8Array, end: number): number {
  let i = end;
  // Step back over continuation bytes (10xxxxxx), at most 3 of them.
  while (i > 0 && end - i < 4 && ((bytes[i - 1] ?? 0) & 0xc0) === 0x80) i--;
  if (i === 0) return end;
  const lead = bytes[i - 1] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return end - (i - 1) >= need ? end : i - 1;
}
