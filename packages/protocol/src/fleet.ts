/** Fleet knowledge on the wire: inventory messages, job facts, agent log tails (SPEC §2, §4). */
import * as z from "zod";
import { INVENTORY_CATEGORIES } from "./subjects.js";
import { pcIdSchema } from "./messages.js";

const isoTime = z.iso.datetime({ offset: true });

export const inventoryCategorySchema = z.enum(INVENTORY_CATEGORIES);

/** One installed application as the `sw` category lists it. */
export const installedAppSchema = z.object({
  name: z.string().min(1),
  version: z.string().nullable(),
  publisher: z.string().nullable(),
});
export type InstalledApp = z.infer<typeof installedAppSchema>;

/**
 * `inventory.<pc_id>.<category>` (stream INVENTORY): the full snapshot of one category. `data` is an
 * object whose shape depends on the category; `sw` carries `{ apps: InstalledApp[], source }`.
 */
export const inventoryMessageSchema = z.object({
  pc_id: pcIdSchema,
  category: inventoryCategorySchema,
  collected_at: isoTime,
  data: z.record(z.string(), z.unknown()),
});
export type InventoryMessage = z.infer<typeof inventoryMessageSchema>;

export const softwareDataSchema = z.object({ apps: z.array(installedAppSchema), source: z.string().optional() });

/** Request on `agents.<pc_id>.logs`; the agent answers with `AgentLogsReply`. */
export const agentLogsRequestSchema = z.object({ tail: z.number().int().positive().max(5_000).default(200) });
export type AgentLogsRequest = z.infer<typeof agentLogsRequestSchema>;

export const agentLogsReplySchema = z.object({
  pc_id: pcIdSchema,
  /** Newest last; each line is one JSON log record as the agent wrote it. */
  lines: z.array(z.string()),
  /** True when older lines were dropped to keep the reply under the NATS payload limit. */
  truncated: z.boolean().default(false),
});
export type AgentLogsReply = z.infer<typeof agentLogsReplySchema>;

export const LOGS_TAIL_MAX = 5_000;

/** `GET /api/agents/{pc}/logs?tail=N` */
export type AgentLogsResponse = AgentLogsReply;

/** Kinds of change kept in a job fact's history. */
export const FACT_CHANGES = ["appeared", "changed", "removed"] as const;
export type FactChange = (typeof FACT_CHANGES)[number];

/** One row of `GET /api/inventory/jobs/{job}`: the latest facts one PC reported for an inventory job. */
export const jobFactsRowSchema = z.object({
  pc_id: z.string(),
  result_id: z.string(),
  collected_at: z.string(),
  facts: z.record(z.string(), z.unknown()),
});
export type JobFactsRow = z.infer<typeof jobFactsRowSchema>;

/** `GET /api/inventory/jobs/{job}`: the fleet table; `columns` come from the manifest's `inventory.display`. */
export const jobFactsTableSchema = z.object({
  job_id: z.string(),
  columns: z.array(z.object({ field: z.string(), label: z.string() })),
  items: z.array(jobFactsRowSchema),
  next_cursor: z.string().nullable(),
});
export type JobFactsTable = z.infer<typeof jobFactsTableSchema>;

/** One change of one fact (`GET /api/inventory/jobs/{job}?pc=<pc>&history=1`). */
export const jobFactChangeSchema = z.object({
  pc_id: z.string(),
  job_id: z.string(),
  field: z.string(),
  change: z.enum(FACT_CHANGES),
  old_value: z.unknown(),
  new_value: z.unknown(),
  at: z.string(),
  result_id: z.string(),
});
export type JobFactChange = z.infer<typeof jobFactChangeSchema>;

/** `POST /api/agents/{pc}/ping` when no agent answers: the message operators see. */
export const PING_TIMEOUT_MS = 5_000;
