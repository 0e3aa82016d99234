/**
 * The standing orders of `runs_on: agent` schedules this agent holds: followed from the `schedule_orders`
 * bucket, kept in `<data_dir>/state/schedule-orders.json` so they still fire while the broker is away and
 * across restarts. Every order is verified with the trusted command keys when it arrives and again when it is
 * read back from the file; one that does not verify is refused, logged, and never replaces a good one.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { standingOrderSchema, type CommandKey, type StandingOrder } from "@kanade/protocol/wire";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";
import { safeJson } from "../safe-json.js";
import { orderRefusalOf } from "../trust/verify.js";

const fileSchema = z.object({ orders: z.record(z.string(), z.record(z.string(), z.unknown())) });

export class StandingOrders {
  /** As received: what the signature covers, and what the file keeps. */
  private readonly raw = new Map<string, Record<string, unknown>>();
  private readonly orders = new Map<string, StandingOrder>();

  /** `path` undefined keeps them in memory only. */
  constructor(
    private readonly path: string | undefined,
    private readonly keys: () => readonly CommandKey[],
    private readonly log: Logger,
  ) {
    if (path && existsSync(path)) this.load(path);
  }

  all(): StandingOrder[] {
    return [...this.orders.values()];
  }

  /** An entry of the bucket: `value` undefined when the schedule's order was withdrawn. */
  offer(key: string, value: string | undefined): void {
    if (value === undefined) {
      if (!this.orders.has(key)) return;
      this.orders.delete(key);
      this.raw.delete(key);
      this.save();
      this.log.info({ schedule_id: key }, "standing order withdrawn; the schedule no longer fires here");
      return;
    }
    const json = safeJson(new TextEncoder().encode(value));
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      this.log.warn({ schedule_id: key }, "refused a standing order that is not a JSON object");
      return;
    }
    if (!this.accept(key, json as Record<string, unknown>, "refused a standing order")) return;
    this.save();
  }

  /** Verifies and keeps; false (and logged) when refused. */
  private accept(key: string, raw: Record<string, unknown>, what: string): boolean {
    const refusal = this.refusalOf(key, raw);
    if (typeof refusal === "string") {
      this.log.warn({ schedule_id: key, reason: refusal }, what);
      return false;
    }
    const before = this.orders.get(key);
    this.orders.set(key, refusal);
    this.raw.set(key, raw);
    if (!before || before.issued_at !== refusal.issued_at) {
      this.log.info({ schedule_id: key, job_id: refusal.command.job_id, version: refusal.command.version }, "standing order accepted");
    }
    return true;
  }

  /** The order, or why it must be refused. */
  private refusalOf(key: string, raw: Record<string, unknown>): StandingOrder | string {
    const parsed = standingOrderSchema.safeParse(raw);
    if (!parsed.success) return `malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`;
    const why = orderRefusalOf(raw, this.keys());
    if (why) return why;
    if (parsed.data.schedule_id !== key || parsed.data.schedule.id !== key) return `the order names schedule ${parsed.data.schedule_id}, not ${key}`;
    return parsed.data;
  }

  private load(path: string): void {
    let stored: z.infer<typeof fileSchema>;
    try {
      stored = fileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
    } catch (err) {
      this.log.error({ err, path }, "standing orders file unreadable; waiting for the broker to send them again");
      return;
    }
    for (const [key, raw] of Object.entries(stored.orders)) this.accept(key, raw, "dropped a cached standing order that does not verify");
  }

  private save(): void {
    if (!this.path) return;
    mkdirPrivate(dirname(this.path));
    writeFileAtomicSync(this.path, JSON.stringify({ orders: Object.fromEntries(this.raw) }));
  }
}
