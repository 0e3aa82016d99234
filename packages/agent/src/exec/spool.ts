/**
 * Keeps the inline head of a stream (OutputCapture) and, once the stream outgrows the inline cap, a
 * whole copy in a file, so the full text can go to the `result_output` object store.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { INLINE_OUTPUT_CAP_BYTES } from "@kanade/protocol";
import { OutputCapture, type CapturedText } from "./capture.js";

export interface SpooledText extends CapturedText {
  /** The whole stream, when it outgrew the cap. */
  fullPath?: string;
  spoolError?: string;
}

export class SpoolingCapture {
  private readonly head: OutputCapture;
  /** Chunks seen before the overflow, kept by reference so they can be written out when it happens. */
  private early: Buffer[] = [];
  private total = 0;
  private fd: number | undefined;
  private spooled = false;

  constructor(
    private readonly path: string | undefined,
    private readonly capBytes: number = INLINE_OUTPUT_CAP_BYTES,
  ) {
    this.head = new OutputCapture(capBytes);
  }

  push(chunk: Buffer): void {
    this.head.push(chunk);
    this.total += chunk.length;
    if (this.path === undefined) return;
    if (this.spoolError !== undefined) return;
    try {
      if (this.fd === undefined && !this.spooled) {
        if (this.total <= this.capBytes) {
          this.early.push(chunk);
          return;
        }
        mkdirSync(dirname(this.path), { recursive: true });
        this.fd = openSync(this.path, "w");
        this.spooled = true;
        for (const b of this.early) writeSync(this.fd, b);
        this.early = [];
      }
      if (this.fd !== undefined) writeSync(this.fd, chunk);
    } catch (err) {
      // A full disk must not crash the agent: the run goes on, and the result keeps its inline head.
      this.spoolError = `could not spool full output to ${this.path}: ${(err as Error).message}`;
      this.spooled = false;
      this.close();
    }
  }

  /** Why the full copy was given up, when it was. */
  spoolError: string | undefined;

  /** Closes the spool file; the head stays readable. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.early = [];
  }

  result(): SpooledText {
    const r: SpooledText = this.head.result();
    if (this.spooled && this.path !== undefined) r.fullPath = this.path;
    if (this.spoolError !== undefined) r.spoolError = this.spoolError;
    return r;
  }
}
