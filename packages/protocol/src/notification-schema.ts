/**
 * Notifications (issue 15 §2): the manifest operators write, the messages on the NOTIFICATIONS stream and the
 * shown/acked events agents send back. No YAML here: the agent imports this through the wire entry;
 * notification.ts parses the YAML and holds the API shapes.
 */
import * as z from "zod";
import { issueFromZod, type ManifestIssue } from "./manifest-issue.js";
import { PC_ID_RE } from "./ids.js";
import { fleetTargetSchema } from "./schedule-schema.js";

export const NOTIFICATION_PRIORITIES = ["info", "warning", "emergency"] as const;
export type NotificationPriority = (typeof NOTIFICATION_PRIORITIES)[number];

/** No dots: the id is the last token of the event subjects. */
export const NOTIFICATION_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const MAX_NOTIFICATION_TITLE = 200;
/** The Markdown body; the whole message must stay well under the broker's max_payload. */
export const MAX_NOTIFICATION_BODY = 32 * 1024;

const instant = z.iso.datetime({ offset: true, error: "expected a time with an offset, like 2026-12-24T18:00:00Z" });

export const notificationManifestSchema = z
  .object({
    id: z.string({ error: "required" }).regex(NOTIFICATION_ID_RE, "expected an id like vpn-outage-1202 (at most 64 lowercase letters, digits, _ and -)"),
    priority: z.enum(NOTIFICATION_PRIORITIES, { error: "expected one of info, warning, emergency" }),
    require_ack: z.boolean({ error: "expected true or false" }).default(false),
    title: z.string({ error: "required" }).trim().min(1, "must not be empty").max(MAX_NOTIFICATION_TITLE, `at most ${MAX_NOTIFICATION_TITLE} characters`),
    body: z.string({ error: "required" }).max(MAX_NOTIFICATION_BODY, `at most ${MAX_NOTIFICATION_BODY} characters`),
    expires_at: instant,
    target: fleetTargetSchema,
  })
  // A misspelt key (`require_acks:`) must not silently mean "no acknowledgement needed".
  .strict();
export type NotificationManifest = z.infer<typeof notificationManifestSchema>;
export type NotificationParse = { ok: true; manifest: NotificationManifest } | { ok: false; issues: ManifestIssue[] };

/** Validates an already-parsed manifest (JSON body or YAML document); `now` set: `expires_at` must be later. Never throws. */
export function validateNotification(input: unknown, now?: Date): NotificationParse {
  const r = notificationManifestSchema.safeParse(input);
  if (!r.success) return { ok: false, issues: r.error.issues.map(issueFromZod) };
  if (now && Date.parse(r.data.expires_at) <= now.getTime()) {
    return { ok: false, issues: [{ path: "expires_at", message: `must be in the future (it is now ${now.toISOString()})` }] };
  }
  return { ok: true, manifest: r.data };
}

/** A notice as published to `notifications.all|group.<g>|pc.<pc>` (one message per target subject). */
export const notificationNoticeSchema = notificationManifestSchema.extend({
  kind: z.literal("notice"),
  created_at: z.string(),
  created_by: z.string(),
});
export type NotificationNotice = z.infer<typeof notificationNoticeSchema>;

/** Withdrawal, published to the same subjects as the notice: agents drop it and clients stop showing it. */
export const notificationWithdrawnSchema = z.object({
  kind: z.literal("withdrawn"),
  id: z.string().regex(NOTIFICATION_ID_RE),
  withdrawn_at: z.string(),
  withdrawn_by: z.string(),
});
export type NotificationWithdrawn = z.infer<typeof notificationWithdrawnSchema>;

export const notificationMessageSchema = z.discriminatedUnion("kind", [notificationNoticeSchema, notificationWithdrawnSchema]);
export type NotificationMessage = z.infer<typeof notificationMessageSchema>;

export const NOTIFICATION_EVENT_KINDS = ["shown", "acked"] as const;
export type NotificationEventKind = (typeof NOTIFICATION_EVENT_KINDS)[number];

/**
 * `events.notifications.{shown,acked}.<pc_id>.<user>.<notif_id>`: what an agent reports. The backend trusts
 * the pc_id of the subject (the broker lets each agent publish only under its own) over the body's.
 */
export const notificationEventSchema = z.object({
  kind: z.enum(NOTIFICATION_EVENT_KINDS),
  notif_id: z.string().regex(NOTIFICATION_ID_RE),
  pc_id: z.string().regex(PC_ID_RE),
  user: z.string().min(1).max(200),
  at: z.string(),
});
export type NotificationEvent = z.infer<typeof notificationEventSchema>;

/** Splits `events.notifications.<kind>.<pc_id>.<user>.<notif_id>`; undefined for anything else. */
export function parseNotificationEventSubject(subject: string): { kind: NotificationEventKind; pcId: string; user: string; notifId: string } | undefined {
  const parts = subject.split(".");
  if (parts.length !== 6 || parts[0] !== "events" || parts[1] !== "notifications") return undefined;
  const [, , kind, pcId, user, notifId] = parts as [string, string, string, string, string, string];
  if (!(NOTIFICATION_EVENT_KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as NotificationEventKind, pcId, user, notifId };
}
