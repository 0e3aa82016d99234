/**
 * The fleet freeze as this agent last saw it (`fleet_config` key `freeze`), kept in
 * `<data_dir>/state/freeze.json` so an agent that restarts while the broker is away still honours it. A value
 * that does not parse counts as frozen, as on the backend.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { corruptFreeze, freezeStatus, freezeValueSchema } from "@kanade/protocol/wire";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";
import { safeJson } from "../safe-json.js";

const fileSchema = z.object({ value: z.string().nullable() });

export class LastSeenFreeze {
  /** The stored text; null when there is no freeze. */
  private value: string | null = null;

  constructor(
    private readonly path: string | undefined,
    private readonly log: Logger,
  ) {
    if (path && existsSync(path)) {
      try {
        this.value = fileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).value;
      } catch (err) {
        this.value = "unreadable";
        log.error({ err, path }, "last seen fleet freeze unreadable; counting the fleet as frozen until the broker says");
      }
    }
  }

  /** The bucket's value (undefined: no freeze). */
  seen(value: string | undefined): void {
    const next = value ?? null;
    if (next === this.value) return;
    this.value = next;
    this.log.info({ frozen: next !== null }, next === null ? "fleet freeze cleared" : "fleet freeze seen");
    if (!this.path) return;
    mkdirPrivate(dirname(this.path));
    writeFileAtomicSync(this.path, JSON.stringify({ value: next }));
  }

  /** Why agent-side schedules must not fire at `nowMs`, or undefined. */
  held(nowMs: number): string | undefined {
    if (this.value === null) return undefined;
    const r = freezeValueSchema.safeParse(safeJson(new TextEncoder().encode(this.value)));
    const status = r.success ? freezeStatus(r.data, nowMs) : corruptFreeze("does not parse");
    return status.frozen ? (status.reason ?? "fleet freeze") : undefined;
  }
}
