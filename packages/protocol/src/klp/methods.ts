/** KLP method parameters, results and pushes (SPEC §10). Unknown fields in params are refused. */
import * as z from "zod";
import { parseDurationMs } from "../duration.js";
import { JOB_ID_RE } from "../ids.js";
import { NOTIFICATION_PRIORITIES } from "../notification-schema.js";

const empty = z.object({}).strict().optional();
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "expected an exec_id");

/** Who the OS says the caller is: `uid:<n>` on Linux, `sid:<S-1-…>` on Windows. */
export const klpUserSchema = z.string().regex(/^(uid:\d{1,10}|sid:S-1-[0-9-]{1,180})$/);
export type KlpUser = z.infer<typeof klpUserSchema>;

export const handshakeParamsSchema = z
  .object({
    protocol_version: z.number().int(),
    client_version: z.string().min(1).max(64),
    client_name: z.string().min(1).max(64).optional(),
  })
  .strict();
export const handshakeResultSchema = z.object({
  protocol_version: z.number().int(),
  agent_version: z.string(),
  pc_id: z.string(),
  user: klpUserSchema,
});
export type HandshakeResult = z.infer<typeof handshakeResultSchema>;

export const versionResultSchema = z.object({ agent_version: z.string(), protocol_version: z.number().int() });

export const healthCheckSchema = z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() });
export const pendingUpdateSchema = z.object({ kind: z.literal("agent"), current: z.string(), target: z.string() });
export const stateSnapshotSchema = z.object({
  pc_id: z.string(),
  online: z.boolean(),
  agent_version: z.string(),
  client_version: z.string(),
  health: z.array(healthCheckSchema),
  pending_updates: z.array(pendingUpdateSchema),
});
export type StateSnapshot = z.infer<typeof stateSnapshotSchema>;
export type HealthCheck = z.infer<typeof healthCheckSchema>;

export const RUN_STATES = ["queued", "running", "finished"] as const;
export const klpRunSchema = z.object({
  exec_id: z.string(),
  job_id: z.string(),
  state: z.enum(RUN_STATES),
  status: z.string().optional(),
  exit_code: z.number().int().nullable().optional(),
  started_at: z.string().nullable().optional(),
  finished_at: z.string().optional(),
});
export type KlpRun = z.infer<typeof klpRunSchema>;

export const catalogJobSchema = z.object({ id: z.string(), version: z.string(), description: z.string().optional() });
export type CatalogJob = z.infer<typeof catalogJobSchema>;

export const jobsListResultSchema = z.object({ jobs: z.array(catalogJobSchema), runs: z.array(klpRunSchema) });
export const jobsExecuteParamsSchema = z.object({ job_id: z.string().regex(JOB_ID_RE) }).strict();
export const jobsExecuteResultSchema = z.object({ exec_id: z.string() });
export const jobsKillParamsSchema = z.object({ exec_id: uuid }).strict();
/** What a run wrote, as the person who started it sees it: the newest part of each stream (jobs.output, jobs.output push). */
export const RUN_OUTPUT_STREAMS = ["stdout", "stderr"] as const;
export const jobsOutputParamsSchema = z.object({ exec_id: uuid }).strict();
export const jobsOutputResultSchema = z.object({ exec_id: z.string(), stdout: z.string(), stderr: z.string(), truncated: z.boolean() });
export const jobsOutputPushSchema = z.object({ exec_id: z.string(), stream: z.enum(RUN_OUTPUT_STREAMS), text: z.string() });
export type JobsOutputPush = z.infer<typeof jobsOutputPushSchema>;
export type JobsOutputResult = z.infer<typeof jobsOutputResultSchema>;
export const jobsKillResultSchema = z.object({ exec_id: z.string(), killing: z.literal(true) });
export const supportUploadParamsSchema = z.object({ note: z.string().max(2_000).optional() }).strict();
export const supportUploadResultSchema = z.object({ bundle_id: z.string() });

/** A notice as a client sees it: unexpired, not withdrawn, with what this user did with it. */
export const klpNoticeSchema = z.object({
  id: z.string(),
  priority: z.enum(NOTIFICATION_PRIORITIES),
  require_ack: z.boolean(),
  title: z.string(),
  /** Markdown. */
  body: z.string(),
  expires_at: z.string(),
  created_at: z.string(),
  acked_at: z.string().nullable(),
});
export type KlpNotice = z.infer<typeof klpNoticeSchema>;
export const notificationsListResultSchema = z.object({ notifications: z.array(klpNoticeSchema) });
export const notificationsSubscribeResultSchema = z.object({ subscribed: z.literal(true), notifications: z.array(klpNoticeSchema) });
export const notificationsAckParamsSchema = z.object({ id: z.string().min(1).max(64) }).strict();
export const notificationsAckResultSchema = z.object({ id: z.string(), acked_at: z.string() });
/** Push `notifications.withdrawn`: stop showing it. */
export const notificationGoneSchema = z.object({ id: z.string(), reason: z.enum(["withdrawn", "expired"]) });

/** One upcoming occurrence of an agent-side schedule on this PC (maintenance.list). */
export const maintenanceItemSchema = z.object({
  schedule_id: z.string(),
  job_id: z.string(),
  description: z.string().optional(),
  /** The occurrence: its instant (ISO), `once`, or `v<version>`. */
  occurrence: z.string(),
  /** When it fires here, deferrals included; null when it waits for a window or active range with no end in sight. */
  next_fire_at: z.string().nullable(),
  /** The schedule's window (`22:00-05:00`), if any. */
  window: z.string().optional(),
  /** The last instant the occurrence may start (starting_deadline, the next occurrence, active.until); null: none. */
  latest_start: z.string().nullable(),
  defer: z.object({
    allowed: z.boolean(),
    max_delay: z.string().optional(),
    max_times: z.number().int().optional(),
    times_left: z.number().int(),
    /** The latest this occurrence may be put off to, all limits applied; null when it cannot be deferred. */
    latest_until: z.string().nullable(),
    deferred_until: z.string().optional(),
  }),
});
export type MaintenanceItem = z.infer<typeof maintenanceItemSchema>;
export const maintenanceListResultSchema = z.object({ maintenance: z.array(maintenanceItemSchema) });
export const maintenanceDeferParamsSchema = z
  .object({
    schedule_id: z.string().regex(JOB_ID_RE, "expected a schedule id"),
    by: z.string().refine((t) => parseDurationMs(t) !== undefined, "expected a duration like 30m or 2h"),
  })
  .strict();
export const maintenanceDeferResultSchema = z.object({ schedule_id: z.string(), occurrence: z.string(), deferred_until: z.string(), times_left: z.number().int() });

export const subscribedResultSchema = z.object({ subscribed: z.boolean() });

/** Params schema of every method the agent serves; a method not here gets -32601. */
export const KLP_METHOD_PARAMS = {
  "system.handshake": handshakeParamsSchema,
  "system.ping": empty,
  "system.version": empty,
  "state.snapshot": empty,
  "state.subscribe": empty,
  "state.unsubscribe": empty,
  "jobs.list": empty,
  "jobs.execute": jobsExecuteParamsSchema,
  "jobs.subscribe": empty,
  "jobs.unsubscribe": empty,
  "jobs.kill": jobsKillParamsSchema,
  "jobs.output": jobsOutputParamsSchema,
  "support.upload_diagnostics": supportUploadParamsSchema,
  "notifications.list": empty,
  "notifications.subscribe": empty,
  "notifications.unsubscribe": empty,
  "notifications.ack": notificationsAckParamsSchema,
  "maintenance.list": empty,
  "maintenance.defer": maintenanceDeferParamsSchema,
} as const;
export type KlpMethod = keyof typeof KLP_METHOD_PARAMS;
export const KLP_METHODS = Object.keys(KLP_METHOD_PARAMS) as KlpMethod[];
export type KlpParams<M extends KlpMethod> = z.infer<(typeof KLP_METHOD_PARAMS)[M]>;

/** Pushes (JSON-RPC notifications from the agent). */
export const KLP_PUSH = {
  stateChanged: "state.changed",
  jobsProgress: "jobs.progress",
  /** New output of one of the caller's runs (a JobsOutputPush), sent while subscribed to jobs. */
  jobsOutput: "jobs.output",
  /** A new notice for this user (a KlpNotice). */
  notificationsNew: "notifications.new",
  /** A notice to stop showing (withdrawn by an operator, or expired). */
  notificationsGone: "notifications.withdrawn",
} as const;
