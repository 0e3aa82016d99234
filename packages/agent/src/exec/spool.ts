/**
 * Keeps the inline head of a stream (OutputCapture) and, once the stream outgrows the inline cap, a
 * whole copy in a file, so the full text can go to the `result_output` object store. The file stops at
 * a spool cap so a runaway script cannot fill the disk.
 */
import { closeSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { INLINE_OUTPUT_CAP_BYTES } from "@kanade/protocol/wire";
import { mkdirPrivate, openPrivateSync } from "../private-files.js";
import { OutputCapture, type CapturedText } from "./capture.js";

/** Per stream; the file is uploaded as one object, so this also bounds what `result_output` holds. */
export const SPOOL_CAP_BYTES = 256 * 1024 * 1024;

export interface SpooledText extends CapturedText {
  /** The whole stream, when it outgrew the cap. */
  fullPath?: string;
  /** The file stops at the spool cap (and says so in a last line): it is not the whole stream. */
  fullCapped?: true;
  spoolError?: string;
}

/** Ends a capped file, so whoever reads the "full" copy knows it is not. */
export const spoolCapMarker = (capBytes: number): string =>
  `\n[kanade: output beyond ${capBytes} bytes was not kept; this copy is truncated]\n`;

export class SpoolingCapture {
  private readonly head: OutputCapture;
  /** Chunks seen before the overflow, kept by reference so they can be written out when it happens. */
  private early: Buffer[] = [];
  private total = 0;
  private fd: number | undefined;
  private spooled = false;
  private written = 0;
  private capped = false;

  constructor(
    private readonly path: string | undefined,
    private readonly capBytes: number = INLINE_OUTPUT_CAP_BYTES,
    private readonly spoolCapBytes: number = SPOOL_CAP_BYTES,
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
        mkdirPrivate(dirname(this.path));
        this.fd = openPrivateSync(this.path);
        this.spooled = true;
        for (const b of this.early) this.write(b);
        this.early = [];
      }
      this.write(chunk);
    } catch (err) {
      // A full disk must not crash the agent: the run goes on, and the result keeps its inline head.
      this.spoolError = `could not spool full output to ${this.path}: ${(err as Error).message}`;
      this.spooled = false;
      this.close();
    }
  }

  /** Appends to the open file up to the spool cap; past it, ends the file with the marker once. */
  private write(chunk: Buffer): void {
    if (this.fd === undefined || this.capped) return;
    const room = this.spoolCapBytes - this.written;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (part.length > 0) writeSync(this.fd, part);
    this.written += part.length;
    if (part.length < chunk.length) {
      this.capped = true;
      writeSync(this.fd, spoolCapMarker(this.spoolCapBytes));
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
    if (this.spooled && this.capped) r.fullCapped = true;
    if (this.spoolError !== undefined) r.spoolError = this.spoolError;
    return r;
  }
}
