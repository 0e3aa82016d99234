/** Remembers which exec_ids / request_ids this agent already took, so replays never run twice. */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { writeFileAtomicSync } from "./fs-atomic.js";
import { mkdirPrivate } from "./private-files.js";

/** EXEC keeps commands 7 days; one day of slack covers clock skew. */
export const HANDLED_RETENTION_MS = 8 * 86_400_000;

const fileSchema = z.object({ ids: z.record(z.string(), z.number()) });

export class HandledStore {
  private readonly ids = new Map<string, number>();

  /** `path` undefined keeps ids in memory only (the simulator). */
  constructor(
    private readonly path: string | undefined,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (path && existsSync(path)) this.load(path);
  }

  private load(path: string): void {
    try {
      const parsed = fileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
      for (const [id, at] of Object.entries(parsed.ids)) this.ids.set(id, at);
    } catch (err) {
      // A corrupt file must not stop the agent; the atomic write makes this very unlikely.
      this.log.error({ err, path }, "handled-id store unreadable; starting empty");
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Records ids and persists (fsync) before returning, so a crash after this never re-runs them. */
  mark(ids: readonly string[]): void {
    const at = this.now();
    for (const id of ids) this.ids.set(id, at);
    this.prune(at);
    if (!this.path) return;
    mkdirPrivate(dirname(this.path));
    writeFileAtomicSync(this.path, JSON.stringify({ ids: Object.fromEntries(this.ids) }));
  }

  private prune(now: number): void {
    for (const [id, at] of this.ids) if (now - at > HANDLED_RETENTION_MS) this.ids.delete(id);
  }
}
