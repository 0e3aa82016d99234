/**
 * When this PC joined each fleet-wide or group command subject, as a position in the EXEC stream: the
 * sequence (and store time) of the newest command on that subject at the moment the agent first
 * subscribed. A command replayed from EXEC at or before that position was issued before the PC was a
 * target and is not run. Commands issued later, even while the PC was offline, are after it and run.
 * Kept in `<data_dir>/state/joined.json` (in memory for the simulator); a group left loses its entry,
 * so joining it again starts afresh.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { writeFileAtomicSync } from "./fs-atomic.js";
import { mkdirPrivate } from "./private-files.js";

const baselineSchema = z.object({
  /** Stream sequence of the newest command on the subject when the PC joined; 0 = there was none. */
  seq: z.number().int().min(0),
  /** The broker's store time of that command (ms). */
  at: z.number().optional(),
});
export type Baseline = z.infer<typeof baselineSchema>;

const fileSchema = z.object({ subjects: z.record(z.string(), baselineSchema) });

/** A stored command as EXEC returns it: its sequence and the broker's store time. */
export interface StoredPosition {
  seq: number;
  time: Date;
}

/**
 * True when `msg` was stored before the PC joined. Sequence numbers alone decide, except after EXEC
 * was recreated (sequences restart): a message stored later than the baseline is then newer even
 * with a lower sequence. Both times are the broker's, so the agent's clock plays no part.
 */
export function issuedBeforeJoining(msg: StoredPosition, b: Baseline): boolean {
  if (msg.seq > b.seq) return false;
  return b.at === undefined || msg.time.getTime() <= b.at;
}

/** The baseline for a subject whose newest stored command is `stored` (none: 0, anything later is newer). */
export const baselineAt = (stored: StoredPosition | null | undefined): Baseline => (stored ? { seq: stored.seq, at: stored.time.getTime() } : { seq: 0 });

export class JoinedBaselines {
  private readonly entries = new Map<string, Baseline>();

  /** `path` undefined keeps baselines in memory only (the simulator). */
  constructor(private readonly path: string | undefined, private readonly log: Logger) {
    if (path && existsSync(path)) this.load(path);
  }

  private load(path: string): void {
    try {
      for (const [subject, b] of Object.entries(fileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).subjects)) this.entries.set(subject, b);
    } catch (err) {
      // Losing it means every fleet-wide and group subject counts as joined now: the PC may miss a
      // command issued while it was offline, but it never runs one from before it joined.
      this.log.error({ err, path }, "joined-subjects file unreadable; treating every fleet and group subject as joined now");
    }
  }

  get(subject: string): Baseline | undefined {
    return this.entries.get(subject);
  }

  /** Records the baseline unless one is already known (the first join counts); true when recorded. */
  setIfAbsent(subject: string, b: Baseline): boolean {
    if (this.entries.has(subject)) return false;
    this.entries.set(subject, b);
    this.save();
    return true;
  }

  /** Forgets subjects not in `keep` that `drop` selects (a group the PC left). */
  prune(keep: ReadonlySet<string>, drop: (subject: string) => boolean): void {
    let changed = false;
    for (const subject of [...this.entries.keys()]) {
      if (keep.has(subject) || !drop(subject)) continue;
      this.entries.delete(subject);
      changed = true;
    }
    if (changed) this.save();
  }

  private save(): void {
    if (!this.path) return;
    try {
      mkdirPrivate(dirname(this.path));
      writeFileAtomicSync(this.path, JSON.stringify({ subjects: Object.fromEntries(this.entries) }));
    } catch (err) {
      this.log.error({ err, path: this.path }, "could not save the joined-subjects file");
    }
  }
}
