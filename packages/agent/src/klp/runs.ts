/**
 * The runs local users started, and what the agent saw of them. A run belongs to the OS identity whose
 * `jobs.execute` got its exec_id from the backend; steps seen before that claim (the command can arrive
 * before the reply) are kept, a bounded number of them. So is the newest output of the latest runs, which
 * their owners get live (`jobs.output` pushes, a few a second at most) and on asking (`jobs.output`).
 */
import { StringDecoder } from "node:string_decoder";
import type { JobsOutputPush, JobsOutputResult, KlpRun } from "@kanade/protocol/klp";
import type { RunEvent } from "../command-runner.js";

const MAX_RUNS = 500;
/** Runs whose output is kept (the newest ones); an operator's busy fleet job must not fill the agent's memory. */
const MAX_OUTPUT_RUNS = 20;
/** Characters kept per stream and run: what a person reads in the client, not the result's record. */
export const RUN_OUTPUT_TAIL_CHARS = 32 * 1024;
/** Output is sent in batches at most this often per run, so a chatty script costs a few frames a second. */
export const RUN_OUTPUT_FLUSH_MS = 250;

type Stream = JobsOutputPush["stream"];
interface RunOutput {
  text: Record<Stream, string>;
  decoders: Record<Stream, StringDecoder>;
  /** Not yet pushed to the owner (owner unknown yet, or waiting for the next flush). */
  pending: Record<Stream, string>;
  truncated: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class RunRegistry {
  private readonly runs = new Map<string, KlpRun>();
  private readonly owners = new Map<string, string>();
  private readonly listeners = new Set<(owner: string, run: KlpRun) => void>();
  private readonly outputs = new Map<string, RunOutput>();
  private readonly outputListeners = new Set<(owner: string, chunk: JobsOutputPush) => void>();

  constructor(private readonly flushMs = RUN_OUTPUT_FLUSH_MS) {}

  observe(event: RunEvent): void {
    const before = this.runs.get(event.exec_id);
    // A late "queued" must not move a run back.
    if (before && event.state === "queued") return;
    // The last output goes out before the step that says the run finished.
    if (event.state === "finished") this.flush(event.exec_id);
    const run: KlpRun = { ...before, ...event };
    this.runs.delete(event.exec_id);
    this.runs.set(event.exec_id, run);
    this.prune();
    const owner = this.owners.get(event.exec_id);
    if (owner) this.notify(owner, run);
  }

  claim(execId: string, jobId: string, owner: string): KlpRun {
    this.owners.set(execId, owner);
    const run = this.runs.get(execId) ?? { exec_id: execId, job_id: jobId, state: "queued" as const };
    this.runs.set(execId, run);
    this.prune();
    // What the run wrote before the claim goes to its owner first.
    this.flush(execId);
    this.notify(owner, run);
    return run;
  }

  /** A chunk a run wrote. Decoded per stream (a character split across chunks stays whole), kept, and batched to the owner. */
  output(execId: string, stream: Stream, chunk: Buffer): void {
    let out = this.outputs.get(execId);
    if (!out) {
      out = { text: { stdout: "", stderr: "" }, decoders: { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") }, pending: { stdout: "", stderr: "" }, truncated: false, timer: undefined };
      this.outputs.set(execId, out);
      while (this.outputs.size > MAX_OUTPUT_RUNS) {
        const oldest = this.outputs.keys().next().value!;
        clearTimeout(this.outputs.get(oldest)?.timer);
        this.outputs.delete(oldest);
      }
    }
    const text = out.decoders[stream].write(chunk);
    if (!text) return;
    out.text[stream] += text;
    if (out.text[stream].length > RUN_OUTPUT_TAIL_CHARS) {
      out.text[stream] = out.text[stream].slice(-RUN_OUTPUT_TAIL_CHARS);
      out.truncated = true;
    }
    out.pending[stream] = (out.pending[stream] + text).slice(-RUN_OUTPUT_TAIL_CHARS);
    if (!out.timer && this.owners.has(execId)) {
      out.timer = setTimeout(() => this.flush(execId), this.flushMs);
      out.timer.unref();
    }
  }

  /** The kept output of a run `owner` started; undefined when it is not theirs (or unknown). */
  outputOf(owner: string, execId: string): JobsOutputResult | undefined {
    if (this.owners.get(execId) !== owner) return undefined;
    const out = this.outputs.get(execId);
    return { exec_id: execId, stdout: out?.text.stdout ?? "", stderr: out?.text.stderr ?? "", truncated: out?.truncated ?? false };
  }

  onOutput(fn: (owner: string, chunk: JobsOutputPush) => void): () => void {
    this.outputListeners.add(fn);
    return () => void this.outputListeners.delete(fn);
  }

  private flush(execId: string): void {
    const out = this.outputs.get(execId);
    if (!out) return;
    clearTimeout(out.timer);
    out.timer = undefined;
    const owner = this.owners.get(execId);
    if (!owner) return;
    for (const stream of ["stdout", "stderr"] as const) {
      const text = out.pending[stream];
      if (!text) continue;
      out.pending[stream] = "";
      for (const fn of this.outputListeners) fn(owner, { exec_id: execId, stream, text });
    }
  }

  ownerOf(execId: string): string | undefined {
    return this.owners.get(execId);
  }

  /** The runs `owner` started, newest first. */
  runsOf(owner: string): KlpRun[] {
    const out: KlpRun[] = [];
    for (const [id, run] of this.runs) if (this.owners.get(id) === owner) out.push(run);
    return out.reverse();
  }

  /** The newest `n` runs seen here, whoever started them (for support bundles), newest first. */
  recent(n: number): KlpRun[] {
    return [...this.runs.values()].slice(-n).reverse();
  }

  onProgress(fn: (owner: string, run: KlpRun) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  private notify(owner: string, run: KlpRun): void {
    for (const fn of this.listeners) fn(owner, run);
  }

  private prune(): void {
    while (this.runs.size > MAX_RUNS) {
      const oldest = this.runs.keys().next().value!;
      this.runs.delete(oldest);
      this.owners.delete(oldest);
    }
  }
}
