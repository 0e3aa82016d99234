/**
 * Which occurrences of agent-side schedules this PC fired, by exec_id, in the plain file
 * `<data_dir>/state/schedule-fired.json`. Written (fsync) before the run starts, so a restart — or a crash
 * mid-run — never fires the same occurrence twice.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";

/** Per schedule, the newest fires kept (a minute-by-minute schedule still needs only the latest). */
const KEEP_PER_SCHEDULE = 200;

const fileSchema = z.object({ fired: z.record(z.string(), z.record(z.string(), z.object({ occurrence: z.string(), at: z.string() }))) });
type Fired = z.infer<typeof fileSchema>["fired"];

export class FiredOccurrences {
  private fired: Fired = {};

  /** `path` undefined keeps them in memory only. */
  constructor(
    private readonly path: string | undefined,
    private readonly log: Logger,
  ) {
    if (path && existsSync(path)) this.load(path);
  }

  has(scheduleId: string, execId: string): boolean {
    return this.fired[scheduleId]?.[execId] !== undefined;
  }

  /** Records the fire and persists before returning; throws when it cannot (then the fire must not happen). */
  mark(scheduleId: string, execId: string, occurrence: string, at: Date): void {
    const own = { ...this.fired[scheduleId], [execId]: { occurrence, at: at.toISOString() } };
    const entries = Object.entries(own).sort(([, a], [, b]) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    this.fired = { ...this.fired, [scheduleId]: Object.fromEntries(entries.slice(-KEEP_PER_SCHEDULE)) };
    if (!this.path) return;
    mkdirPrivate(dirname(this.path));
    writeFileAtomicSync(this.path, JSON.stringify({ fired: this.fired }));
  }

  private load(path: string): void {
    try {
      this.fired = fileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).fired;
    } catch (err) {
      // The handled-id store still drops an exec_id this PC already ran; only older fires are forgotten.
      this.log.error({ err, path }, "fired-occurrences file unreadable; starting empty");
    }
  }
}
