/**
 * One small file per in-flight run, removed once its result is in the outbox. A marker left at startup
 * means the agent died mid-run; it becomes an `error` result so the operator is not left waiting.
 */
import { readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { writeFileAtomicSync } from "./fs-atomic.js";
import { mkdirPrivate } from "./private-files.js";

export const runningMarkerSchema = z.object({
  exec_id: z.string(),
  request_id: z.string(),
  result_id: z.string(),
  job_id: z.string(),
  version: z.string(),
  run_as: z.enum(["system", "user", "system_gui"]),
  started_at: z.string().nullable(),
  agent_pid: z.number().int(),
  /** The script's first process (its process group on POSIX), once spawned; `start` tells it from a recycled pid. */
  child: z.object({ pid: z.number().int().positive(), start: z.string().optional() }).optional(),
});
export type RunningMarker = z.infer<typeof runningMarkerSchema>;

export class RunningMarkers {
  constructor(private readonly dir: string | undefined, private readonly log: Logger) {
    if (dir) mkdirPrivate(dir);
  }

  write(marker: RunningMarker): void {
    if (this.dir) writeFileAtomicSync(join(this.dir, `${marker.exec_id}.json`), JSON.stringify(marker));
  }

  remove(execId: string): void {
    if (!this.dir) return;
    try {
      unlinkSync(join(this.dir, `${execId}.json`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  /** Markers left by a previous process (every marker, at startup). */
  leftovers(): RunningMarker[] {
    if (!this.dir) return [];
    const out: RunningMarker[] = [];
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith(".json"))) {
      const path = join(this.dir, name);
      try {
        out.push(runningMarkerSchema.parse(JSON.parse(readFileSync(path, "utf8"))));
      } catch (err) {
        this.log.error({ err, path }, "running marker unreadable; removing it");
        unlinkSync(path);
      }
    }
    return out;
  }
}
