/** Spawns one staged script, captures its output, and ends its whole tree on timeout or kill. */
import { spawn } from "node:child_process";
import type { Argv, KillReport, Platform } from "../platform/index.js";
import { join } from "node:path";
import { SpoolingCapture, type SpooledText } from "./spool.js";

export interface ProcessSpec {
  argv: Argv;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Aborting it (a `kill.<exec_id>`) hard-kills the tree. */
  signal: AbortSignal;
  platform: Platform;
  /** When set, a stream beyond the inline cap is also written whole to `<outputDir>/stdout|stderr`. */
  outputDir?: string;
  /** Called right after the child exists, with its pid. */
  onSpawn?(pid: number): void;
  /** Every chunk of output as it arrives (live tails); the capture is unaffected. */
  onOutput?(stream: "stdout" | "stderr", chunk: Buffer): void;
}

export interface ProcessOutcome {
  kind: "exited" | "timed_out" | "killed" | "spawn_error";
  exitCode: number | null;
  stdout: SpooledText;
  stderr: SpooledText;
  error?: string;
  /** After a timeout or kill: what the check after the kill found still running (empty: all gone). */
  kill?: KillReport;
}

/** After the main process exits, how long a leftover grandchild may keep the pipes open. */
const PIPE_GRACE_MS = 2_000;

export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const spool = (name: string): string | undefined => (spec.outputDir === undefined ? undefined : join(spec.outputDir, name));
    const stdout = new SpoolingCapture(spool("stdout"));
    const stderr = new SpoolingCapture(spool("stderr"));
    let ended: "timed_out" | "killed" | undefined;
    let killCheck: Promise<KillReport> | undefined;
    let settled = false;
    const child = spawn(spec.argv.file, spec.argv.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      ...spec.platform.spawnOptions,
    });
    if (child.pid !== undefined) spec.onSpawn?.(child.pid);
    const stopTree = (why: "timed_out" | "killed"): void => {
      if (ended || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      ended = why;
      const pid = child.pid;
      killCheck = spec.platform.killTree(pid).catch((err: unknown) => ({ survivors: [pid], problem: `kill failed: ${(err as Error).message}` }));
      void killCheck.then((report) => {
        // The tree outlived the kill: 'close' may never come (the pipes stay open), so stop waiting for it.
        if (report.survivors.length === 0 || settled) return;
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ kind: why, exitCode: null, kill: report, error: survivorsMessage(report) });
      });
    };
    const timer = setTimeout(() => stopTree("timed_out"), spec.timeoutMs);
    const onAbort = (): void => stopTree("killed");
    spec.signal.addEventListener("abort", onAbort, { once: true });
    let graceTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: Omit<ProcessOutcome, "stdout" | "stderr">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      spec.signal.removeEventListener("abort", onAbort);
      stdout.close();
      stderr.close();
      resolve({ ...outcome, stdout: stdout.result(), stderr: stderr.result() });
    };

    child.stdout?.on("data", (d: Buffer) => {
      stdout.push(d);
      spec.onOutput?.("stdout", d);
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr.push(d);
      spec.onOutput?.("stderr", d);
    });
    child.once("error", (err) => finish({ kind: "spawn_error", exitCode: null, error: `could not start ${spec.argv.file}: ${err.message}` }));
    child.once("exit", () => {
      // A backgrounded grandchild can hold the pipes open forever; stop waiting for them after a grace period.
      graceTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_GRACE_MS);
    });
    child.once("close", (code) => {
      if (!ended) return finish({ kind: "exited", exitCode: code });
      const why = ended;
      void (killCheck ?? Promise.resolve<KillReport>({ survivors: [] })).then((report) => {
        const error = survivorsMessage(report);
        finish({ kind: why, exitCode: null, kill: report, ...(error !== undefined ? { error } : {}) });
      });
    });
    if (spec.signal.aborted) onAbort();
  });
}

/** What the result says when a kill did not end the whole tree (undefined when it did). */
export function survivorsMessage(report: KillReport): string | undefined {
  if (report.survivors.length === 0) return undefined;
  const why = report.problem !== undefined ? ` (${report.problem})` : "";
  return `the process tree is still running after the kill: pid ${report.survivors.join(", ")}${why}`;
}
