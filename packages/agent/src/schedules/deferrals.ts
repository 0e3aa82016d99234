/**
 * Deferrals the people at this PC made (KLP maintenance.defer), per schedule, in the plain file
 * `<data_dir>/state/maintenance-deferrals.json`: which occurrence (by its exec_id), when it was first due to
 * fire, until when it is put off, and who put it off. Written (fsync) before the deferral is answered, so a
 * restart keeps it. Only the newest occurrence's deferral is kept per schedule: a deferral ends with its occurrence.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";

const deferralSchema = z.object({
  exec_id: z.string(),
  occurrence: z.string(),
  /** When the occurrence would have fired without any deferral (ISO). */
  original_fire_at: z.string(),
  /** Not before this instant (ISO). */
  until: z.string(),
  history: z.array(z.object({ user: z.string(), at: z.string(), until: z.string() })),
});
export type Deferral = z.infer<typeof deferralSchema>;
const fileSchema = z.object({ deferrals: z.record(z.string(), deferralSchema) });

export class Deferrals {
  private deferrals: Record<string, Deferral> = {};

  /** `path` undefined keeps them in memory only. */
  constructor(
    private readonly path: string | undefined,
    private readonly log: Logger,
  ) {
    if (path && existsSync(path)) this.load(path);
  }

  /** The deferral of this occurrence of the schedule, if any. */
  of(scheduleId: string, execId: string): Deferral | undefined {
    const d = this.deferrals[scheduleId];
    return d?.exec_id === execId ? d : undefined;
  }

  /** Until when the occurrence is put off (ms), or undefined. */
  untilMs(scheduleId: string, execId: string): number | undefined {
    const d = this.of(scheduleId, execId);
    return d ? Date.parse(d.until) : undefined;
  }

  /** Records and persists before returning; throws when it cannot (then the deferral must be refused). */
  put(scheduleId: string, d: Deferral): void {
    const next = { ...this.deferrals, [scheduleId]: d };
    if (this.path) {
      mkdirPrivate(dirname(this.path));
      writeFileAtomicSync(this.path, JSON.stringify({ deferrals: next }));
    }
    this.deferrals = next;
  }

  private load(path: string): void {
    try {
      this.deferrals = fileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).deferrals;
    } catch (err) {
      // Forgetting deferrals only means the schedule fires on time: the safe side.
      this.log.error({ err, path }, "maintenance deferrals file unreadable; schedules fire at their own time");
    }
  }
}
