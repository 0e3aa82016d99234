/**
 * The runs local users started, and what the agent saw of them. A run belongs to the OS identity whose
 * `jobs.execute` got its exec_id from the backend; steps seen before that claim (the command can arrive
 * before the reply) are kept, a bounded number of them.
 */
import type { KlpRun } from "@kanade/protocol/klp";
import type { RunEvent } from "../command-runner.js";

const MAX_RUNS = 500;

export class RunRegistry {
  private readonly runs = new Map<string, KlpRun>();
  private readonly owners = new Map<string, string>();
  private readonly listeners = new Set<(owner: string, run: KlpRun) => void>();

  observe(event: RunEvent): void {
    const before = this.runs.get(event.exec_id);
    // A late "queued" must not move a run back.
    if (before && event.state === "queued") return;
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
    this.notify(owner, run);
    return run;
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
