/**
 * The fleet freeze: `fleet_config` KV, key `freeze`. While it holds, no schedule fires and a manual exec needs
 * `during_freeze: true` (`kanade exec --during-freeze`). A value that cannot be read or does not validate
 * counts as frozen: a broken freeze must never silently let work through.
 */
import * as z from "zod";

export const FREEZE_KEY = "freeze";

const instant = z.iso.datetime({ offset: true, error: "expected a time with an offset like 2026-12-24T00:00:00Z" });

/** What `PUT /api/freeze` takes: no `from` means now, no `until` means until cleared. */
export const freezeRequestSchema = z
  .object({
    from: instant.optional(),
    until: instant.optional(),
    reason: z.string().max(500, "at most 500 characters").optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.until === undefined || Date.parse(f.from) < Date.parse(f.until), { path: ["until"], message: "must be after from" });
export type FreezeRequest = z.infer<typeof freezeRequestSchema>;

/** The stored value. */
export const freezeValueSchema = z.object({
  from: instant,
  until: instant.nullable(),
  reason: z.string().nullable(),
  set_by: z.string(),
  set_at: instant,
});
export type FreezeValue = z.infer<typeof freezeValueSchema>;

/** `GET /api/freeze`: whether the fleet is frozen now, and the stored freeze (if any and readable). */
export const freezeStatusSchema = z.object({
  frozen: z.boolean(),
  /** Why it is frozen now, or why the stored value could not be used; null when not frozen. */
  reason: z.string().nullable(),
  /** The value could not be read or does not validate: frozen until someone sets or clears it. */
  corrupt: z.boolean(),
  freeze: freezeValueSchema.nullable(),
});
export type FreezeStatus = z.infer<typeof freezeStatusSchema>;

/** The freeze as of `nowMs`: scheduled freezes not begun yet and ended ones do not hold. */
export function freezeStatus(value: FreezeValue | null, nowMs: number): FreezeStatus {
  if (!value) return { frozen: false, reason: null, corrupt: false, freeze: null };
  const started = Date.parse(value.from) <= nowMs;
  const ended = value.until !== null && Date.parse(value.until) <= nowMs;
  const frozen = started && !ended;
  return { frozen, reason: frozen ? `fleet freeze${value.reason ? `: ${value.reason}` : ""} (set by ${value.set_by})` : null, corrupt: false, freeze: value };
}

/** A stored value that cannot be used. */
export const corruptFreeze = (why: string): FreezeStatus => ({ frozen: true, reason: `fleet freeze value unreadable (${why}): counted as frozen; set or clear it`, corrupt: true, freeze: null });
