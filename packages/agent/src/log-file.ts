/**
 * Rolling log files under `<data_dir>/logs/`: `agent.log` is written until it passes `maxBytes`, then
 * it becomes `agent.1.log` (the older ones shift to .2, .3, …) and the oldest beyond `keep` is deleted.
 * A pino destination: one JSON record per write, written synchronously, so a crash loses nothing.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { mkdirPrivate, PRIVATE_FILE_MODE } from "./private-files.js";

export const LOG_FILE_MAX_BYTES = 10 * 1024 * 1024;
export const LOG_FILES_KEPT = 5;

export class RollingLogFile {
  private fd: number | undefined;
  private size = 0;
  /** Set when the disk refused a write: logging carries on to stderr and the ring. */
  private broken = false;

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly maxBytes = LOG_FILE_MAX_BYTES,
    private readonly keep = LOG_FILES_KEPT,
  ) {}

  /** `<dir>/<name>.log`, or `<dir>/<name>.<n>.log` for the n-th older file. */
  path(n = 0): string {
    return join(this.dir, n === 0 ? `${this.name}.log` : `${this.name}.${n}.log`);
  }

  write(chunk: string): void {
    if (this.broken) return;
    try {
      if (this.fd === undefined) this.open();
      const bytes = Buffer.byteLength(chunk);
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.roll();
      writeSync(this.fd!, chunk);
      this.size += bytes;
    } catch (err) {
      this.broken = true;
      process.stderr.write(`kanade-agent: log file ${this.path()} not written from now on: ${(err as Error).message}\n`);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    mkdirPrivate(this.dir);
    this.fd = openSync(this.path(), "a", PRIVATE_FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  private roll(): void {
    this.close();
    rmSync(this.path(this.keep), { force: true });
    for (let n = this.keep - 1; n >= 0; n--) {
      if (existsSync(this.path(n))) renameSync(this.path(n), this.path(n + 1));
    }
    this.open();
  }
}
