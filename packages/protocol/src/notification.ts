/** Notification YAML (`kanade notify create`, `POST /api/notifications`) and the API's answers about notifications. */
import * as z from "zod";
import { readYamlMapping } from "./yaml-mapping.js";
import { fleetTargetSchema } from "./schedule-schema.js";
import { NOTIFICATION_PRIORITIES, validateNotification, type NotificationParse } from "./notification-schema.js";

export * from "./notification-schema.js";

/** Parses notification YAML and validates it (with `now`: `expires_at` must be later); never throws. */
export function parseNotificationYaml(text: string, now?: Date): NotificationParse {
  const doc = readYamlMapping(text, "id, priority, title, body, expires_at and target");
  return doc.ok ? validateNotification(doc.value, now) : doc;
}

/** active: shown on PCs; expired: past expires_at; withdrawn: taken back by an operator. */
export const NOTIFICATION_STATES = ["active", "expired", "withdrawn"] as const;
/** Per PC and user: acknowledged; shown (reached the user's client, not acknowledged); pending; expired (never acknowledged in time). */
export const ACK_STATES = ["acknowledged", "shown", "pending", "expired"] as const;
export type AckState = (typeof ACK_STATES)[number];

const ackCountsSchema = z.object({ acknowledged: z.number().int(), shown: z.number().int(), pending: z.number().int(), expired: z.number().int() });
export type AckCounts = z.infer<typeof ackCountsSchema>;

export const notificationSummarySchema = z.object({
  id: z.string(),
  priority: z.enum(NOTIFICATION_PRIORITIES),
  require_ack: z.boolean(),
  title: z.string(),
  expires_at: z.string(),
  target: fleetTargetSchema,
  state: z.enum(NOTIFICATION_STATES),
  created_at: z.string(),
  created_by: z.string(),
  withdrawn_at: z.string().nullable(),
  withdrawn_by: z.string().nullable(),
  /** Distinct (PC, user) pairs that acknowledged. */
  acknowledged: z.number().int(),
});
export type NotificationSummary = z.infer<typeof notificationSummarySchema>;

export const notificationDetailSchema = notificationSummarySchema.extend({ body: z.string(), yaml: z.string() });
export type NotificationDetail = z.infer<typeof notificationDetailSchema>;

export const ackStatusRowSchema = z.object({
  pc_id: z.string(),
  /** The OS identity that saw it (`uid:1000`, `sid:S-1-5-…`); null: nobody on that PC has seen it yet. */
  user: z.string().nullable(),
  state: z.enum(ACK_STATES),
  shown_at: z.string().nullable(),
  acked_at: z.string().nullable(),
});
export type AckStatusRow = z.infer<typeof ackStatusRowSchema>;

export const ackStatusSchema = z.object({
  id: z.string(),
  state: z.enum(NOTIFICATION_STATES),
  require_ack: z.boolean(),
  expires_at: z.string(),
  counts: ackCountsSchema,
  rows: z.array(ackStatusRowSchema),
});
export type AckStatus = z.infer<typeof ackStatusSchema>;

export const notificationCreatedSchema = z.object({ id: z.string(), subjects: z.array(z.string()) });
export const notificationWithdrawnAnswerSchema = z.object({ id: z.string(), withdrawn_at: z.string(), already: z.boolean() });
