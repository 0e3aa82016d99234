/**
 * A long-lived helper process spoken to one line at a time: a request line on its stdin, one response
 * line on its stdout. Started on the first request, kept for every later one (no process start per
 * sample), started again after it dies or stops answering. Requests are answered in order, one at a
 * time. The helper exits by itself when the agent goes away (its stdin closes).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/** The helper program and its arguments. */
export interface HelperCommand {
  file: string;
  args: string[];
}

export class HelperError extends Error {}

interface Pending {
  line: string;
  timeoutMs: number;
  resolve(text: string): void;
  reject(err: Error): void;
}

export class LineHelper {
  /** How many times the helper process was started (a test and a bench read it). */
  starts = 0;
  private child: ChildProcessWithoutNullStreams | undefined;
  private buffer = "";
  private readonly queue: Pending[] = [];
  private current: { pending: Pending; timer: NodeJS.Timeout } | undefined;
  private closed = false;

  constructor(
    private readonly argv: HelperCommand,
    private readonly opts: { env?: NodeJS.ProcessEnv; maxLineBytes?: number } = {},
  ) {}

  /** Sends one request line; resolves with the response line (without its newline). */
  request(line: string, timeoutMs: number): Promise<string> {
    if (this.closed) return Promise.reject(new HelperError("the helper was closed"));
    if (line.includes("\n")) return Promise.reject(new HelperError("a request is one line"));
    return new Promise((resolve, reject) => {
      this.queue.push({ line, timeoutMs, resolve, reject });
      this.next();
    });
  }

  /** Ends the helper (closing its stdin lets it exit on its own; the kill is for one that hangs). */
  close(): void {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new HelperError("the helper was closed"));
    this.fail(new HelperError("the helper was closed"));
  }

  private next(): void {
    if (this.closed || this.current || this.queue.length === 0) return;
    const pending = this.queue.shift()!;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = this.ensureChild();
    } catch (err) {
      pending.reject(new HelperError(`could not start ${this.argv.file}: ${(err as Error).message}`));
      this.next();
      return;
    }
    const timer = setTimeout(() => this.fail(new HelperError(`${this.argv.file} did not answer "${pending.line}" within ${pending.timeoutMs} ms; restarting it`)), pending.timeoutMs);
    this.current = { pending, timer };
    child.stdin.write(`${pending.line}\n`);
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn(this.argv.file, this.argv.args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true, ...(this.opts.env ? { env: this.opts.env } : {}) });
    this.starts++;
    this.child = child;
    this.buffer = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => this.onData(child, chunk));
    // Its stderr is drained (a full pipe would block it) but not kept: errors come back as response lines.
    child.stderr.resume();
    child.stdin.on("error", () => undefined);
    child.once("error", (err) => this.onGone(child, `${this.argv.file} failed: ${err.message}`));
    child.once("exit", (code, signal) => this.onGone(child, `${this.argv.file} exited (${signal ?? `code ${code}`})`));
    // The agent may exit while the helper idles; the helper then sees its stdin close and ends.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  private onData(child: ChildProcessWithoutNullStreams, chunk: string): void {
    if (child !== this.child) return;
    this.buffer += chunk;
    const max = this.opts.maxLineBytes ?? 16 * 1024 * 1024;
    for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, "");
      this.buffer = this.buffer.slice(nl + 1);
      const cur = this.current;
      if (!cur) continue; // a line nobody asked for (a banner): ignored
      clearTimeout(cur.timer);
      this.current = undefined;
      cur.pending.resolve(line);
      this.next();
    }
    if (this.buffer.length > max) this.fail(new HelperError(`${this.argv.file} sent a line longer than ${max} bytes`));
  }

  private onGone(child: ChildProcessWithoutNullStreams, why: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.failCurrent(new HelperError(why));
    this.next();
  }

  /** Rejects the request in flight and kills the helper, so the next request starts a fresh one. */
  private fail(err: Error): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin.end();
      child.kill();
    }
    this.failCurrent(err);
    this.next();
  }

  private failCurrent(err: Error): void {
    const cur = this.current;
    this.current = undefined;
    if (!cur) return;
    clearTimeout(cur.timer);
    cur.pending.reject(err);
  }
}
