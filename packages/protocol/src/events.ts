/**
 * The event timeline (issue #17 part 4): what happened on a PC over time. Agents publish their events on
 * `events.pc.<pc_id>.<kind>` (stream EVENTS) through their durable outbox; the backend adds the online/offline
 * transitions it infers from heartbeats. Every event has a stable id, so a re-send is stored once.
 */
import * as z from "zod";
import { jobIdSchema, pcIdSchema } from "./messages.js";
import { UUID_RE } from "./ids.js";

/** Kinds an agent reports. */
export const AGENT_EVENT_KINDS = [
  "agent_started",
  "agent_stopped",
  "os_boot",
  "os_shutdown",
  "user_logon",
  "user_logoff",
  "user_lock",
  "user_unlock",
  "script",
  /** The person at the PC put off an agent-side schedule's next occurrence (KLP maintenance.defer). */
  "maintenance_deferred",
] as const;
/** Kinds only the backend records (inferred from heartbeats); refused on the wire. */
export const BACKEND_EVENT_KINDS = ["agent_offline", "agent_online"] as const;
export const EVENT_KINDS = [...AGENT_EVENT_KINDS, ...BACKEND_EVENT_KINDS] as const;
export type AgentEventKind = (typeof AGENT_EVENT_KINDS)[number];
export type EventKind = (typeof EVENT_KINDS)[number];

/** Event ids are lowercase hex (a UUID or a digest of what makes the event unique), 16 to 64 characters. */
export const EVENT_ID_RE = /^[0-9a-f-]{16,64}$/;
/** A script event's own name: `backup.done`, `disk-full`. */
export const SCRIPT_EVENT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export const SCRIPT_EVENT_LIMITS = {
  /** Events kept per run; later lines are counted and reported as dropped. */
  perRun: 100,
  /** Bytes of the events file read per run. */
  fileBytes: 256 * 1024,
  /** Bytes of one line (one event). */
  lineBytes: 8 * 1024,
  /** Characters of `message`. */
  messageChars: 1024,
  /** Bytes of `data` as JSON. */
  dataBytes: 4 * 1024,
} as const;

const isoTime = z.iso.datetime({ offset: true });
const eventKindSchema = z.enum(EVENT_KINDS);
const dataSchema = z
  .record(z.string(), z.unknown())
  .refine((d) => JSON.stringify(d).length <= SCRIPT_EVENT_LIMITS.dataBytes, { message: `data: at most ${SCRIPT_EVENT_LIMITS.dataBytes} bytes as JSON` });

/** What a script writes, one JSON object per line, to the file named by `KANADE_EVENTS_FILE`. */
export const scriptEventLineSchema = z
  .object({
    name: z.string().regex(SCRIPT_EVENT_NAME_RE, "expected a name of letters, digits, . _ : - (at most 64)"),
    message: z.string().max(SCRIPT_EVENT_LIMITS.messageChars).optional(),
    data: dataSchema.optional(),
  })
  .strict();
export type ScriptEventLine = z.infer<typeof scriptEventLineSchema>;

const eventFields = {
  event_id: z.string().regex(EVENT_ID_RE, "expected an event id (16-64 lowercase hex characters or dashes)"),
  pc_id: pcIdSchema,
  at: isoTime,
  /** The local account a logon/logoff/lock/unlock is about. */
  user: z.string().min(1).max(256).optional(),
  /** Where the agent learnt it: `agent`, `wtmp`, `eventlog`, `script`. */
  source: z.string().min(1).max(64).optional(),
  /** Script events: the run that emitted it. */
  exec_id: z.string().regex(UUID_RE, "expected an exec_id (UUID)").optional(),
  job_id: jobIdSchema.optional(),
  name: z.string().regex(SCRIPT_EVENT_NAME_RE).optional(),
  message: z.string().max(SCRIPT_EVENT_LIMITS.messageChars).optional(),
  data: dataSchema.optional(),
};

/** An event on the wire (`events.pc.<pc_id>.<kind>`), as an agent publishes it. */
export const agentEventSchema = z.object({ ...eventFields, kind: z.enum(AGENT_EVENT_KINDS) }).strict();
export type AgentEvent = z.infer<typeof agentEventSchema>;

/** An event as the API returns it (`GET /api/events`). */
export const timelineEventSchema = z.object({ ...eventFields, kind: eventKindSchema, received_at: isoTime });
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

/** The kinds the CLI and UI offer as filters, in display order. */
export const eventKindListSchema = eventKindSchema;
