/**
 * Path params and query strings of the API routes. The server parses strings (`?limit=50`); clients
 * pass typed values (`limit: 50`, `rows: false`), which the client turns into the same strings.
 */
import * as z from "zod";
import { fleetPerfSortSchema } from "../api.js";
import { GROUP_RE, UUID_RE } from "../ids.js";
import { JSON_SCHEMA_NAMES, type JsonSchemaName } from "../json-schemas.js";
import { jobIdSchema, pcIdSchema, resultStatusSchema } from "../messages.js";
import { usernameSchema } from "../governance.js";
import { EVENT_KINDS } from "../events.js";
import { NOTIFICATION_ID_RE } from "../notification-schema.js";
import { keyIdSchema } from "../signing.js";
import { agentPlatformSchema, objectSegmentSchema } from "../releases.js";

/** An integer query value: a number from a typed client, its decimal text on the wire. */
const queryInt = (min: number, max: number) => z.coerce.number<number>().int().min(min).max(max);

/** A yes/no query value: `true`/`false` from a typed client; `true|false|1|0` on the wire. */
export const queryFlag = z
  .union([z.boolean(), z.enum(["true", "false", "1", "0"])])
  .transform((v) => v === true || v === "true" || v === "1");

/** Largest page of `GET /api/agents?limit=`. */
export const AGENTS_PAGE_MAX = 5_000;

/** `limit` of paged lists: default 50, at most 500. */
export const listLimitSchema = queryInt(1, 500).default(50);
const cursor = z.string().optional();

const uuid = (what: string) => z.string().regex(UUID_RE, `expected ${what} (UUID)`);
export const groupNameSchema = z.string().regex(GROUP_RE, "expected a group name (letters, digits, _ and -, at most 63)");
const isoTime = z.iso.datetime({ offset: true });

// ---- path params ------------------------------------------------------------------------------
export const jsonSchemaParams = z.object({
  file: z.enum(JSON_SCHEMA_NAMES.map((n) => `${n}.json` as const) as [`${JsonSchemaName}.json`, ...`${JsonSchemaName}.json`[]], {
    error: `expected one of ${JSON_SCHEMA_NAMES.map((n) => `${n}.json`).join(", ")}`,
  }),
});
export const jobParams = z.object({ id: jobIdSchema });
export const scheduleParams = z.object({ id: jobIdSchema });
export const notificationParams = z.object({ id: z.string().regex(NOTIFICATION_ID_RE, "expected a notification id") });
export const listNotificationsQuery = z.object({ limit: listLimitSchema });
export const schedulePreviewQuery = z.object({ count: queryInt(1, 100).default(10) });
export const execJobParams = z.object({ job_id: jobIdSchema });
export const execIdParams = z.object({ exec_id: uuid("an exec_id") });
export const resultIdParams = z.object({ result_id: uuid("a result_id") });
export const resultOutputParams = z.object({ result_id: uuid("a result_id"), stream: z.enum(["stdout", "stderr"]) });
export const pcParams = z.object({ pc: pcIdSchema });
export const pcGroupParams = z.object({ pc: pcIdSchema, g: groupNameSchema });
export const groupParams = z.object({ g: groupNameSchema });
export const inventoryJobParams = z.object({ job: jobIdSchema });
export const rolloutIdParams = z.object({ id: uuid("a rollout id") });
export const listRolloutsQuery = z.object({ limit: listLimitSchema });
export const complianceParams = z.object({ job: jobIdSchema });
export const complianceHistoryParams = z.object({ job: jobIdSchema, pc: pcIdSchema });
export const complianceHistoryQuery = z.object({ limit: listLimitSchema });
export const usernameParams = z.object({ username: usernameSchema });
export const objectParams = z.object({ name: objectSegmentSchema, version: objectSegmentSchema });
export const releaseKeyParams = z.object({ key: objectSegmentSchema });
// Bucket and store names are checked against kanade's own by the backend, which lists the valid ones.
export const kvParams = z.object({ bucket: z.string().min(1), key: z.string().min(1) });
export const storeParams = z.object({ store: z.string().min(1) });
export const commandKeyParams = z.object({ kid: keyIdSchema });

// ---- queries ----------------------------------------------------------------------------------
export const listExecutionsQuery = z.object({
  limit: listLimitSchema,
  cursor,
  job_id: jobIdSchema.optional(),
  /** A unique prefix or suffix of an exec_id (hex digits, dashes optional), as the UI and the CLI shorten it. */
  id: z
    .string()
    .regex(/^[0-9a-fA-F-]{4,36}$/, "expected 4 or more hex digits of an exec_id")
    .transform((s) => s.replace(/-/g, "").toLowerCase())
    .optional(),
  // Stored states; "completed" is computed on read, so it is found under "running".
  state: z.enum(["pending_approval", "running", "killed", "rejected", "expired", "failed_to_publish"]).optional(),
});
/** `rows: false` keeps polling cheap when thousands of PCs are targeted. */
export const getExecutionQuery = z.object({
  rows: queryFlag.optional(),
  /** Answer once the execution has ended (every PC answered, or killed, rejected, expired, not sent), at the latest after this many ms. */
  wait_ms: queryInt(1, 30_000).optional(),
});

export const listResultsQuery = z.object({
  limit: listLimitSchema,
  cursor,
  exec_id: uuid("an exec_id").optional(),
  pc_id: pcIdSchema.optional(),
  job_id: z.string().min(1).optional(),
  status: resultStatusSchema.optional(),
});
/** `full: true`: stdout/stderr are the whole text from result_output, not the inline heads. */
export const getResultQuery = z.object({ full: queryFlag.optional() });

export const listAgentsQuery = z.object({
  /** `true`: online agents only; `false`: offline ones only. */
  online: queryFlag.optional(),
  /** Members of this group only. */
  group: groupNameSchema.optional(),
  /** Agents with this tag: `key=value`, or `key` for any value. */
  tag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}(=.{1,128})?$/, "expected key=value or key").optional(),
  /** Case-insensitive text found in the pc_id, host name, OS, version, groups, logged-on user or IP addresses. */
  q: z.string().trim().min(1).max(200).optional(),
  /** `true`: also agents hidden by `agents_hide_after` (not seen for that long). */
  include_hidden: queryFlag.optional(),
  /** One page of at most this many agents in pc_id order, with `next_cursor`; without it the whole list. */
  limit: queryInt(1, AGENTS_PAGE_MAX).optional(),
  /** `next_cursor` of the previous page (only with `limit`). */
  cursor,
});
/** `GET /api/executions/{exec_id}/tail`: which PC, and the byte offsets of each stream already shown. */
export const runTailQuery = z.object({
  pc: pcIdSchema,
  stdout_from: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
  stderr_from: queryInt(0, Number.MAX_SAFE_INTEGER).default(0),
});
export const agentLogsQuery = z.object({ tail: queryInt(1, 5_000).default(200) });

export const findAppsQuery = z.object({
  app: z.string().trim().min(1, "expected an application name (or part of one)"),
  limit: queryInt(1, 100_000).default(10_000),
  cursor,
});
export const missingAppQuery = z.object({ app: z.string().trim().min(1, "expected an application name (or part of one)") });
/** `history: true` answers the changes of each fact instead of the latest table. */
export const jobFactsQuery = z.object({ pc: pcIdSchema.optional(), history: queryFlag.optional() });

export const agentPerfQuery = z.object({ since: isoTime.optional(), limit: queryInt(1, 100_000).default(10_000) });
export const fleetPerfQuery = z.object({ sort: fleetPerfSortSchema.default("cpu"), limit: queryInt(1, 100_000).default(100) });

/** `force: true` replaces an object already stored under the same key. */
export const uploadQuery = z.object({ force: queryFlag.optional() });
export const publishReleaseQuery = z.object({
  version: objectSegmentSchema,
  platform: agentPlatformSchema.default("windows-x64"),
  force: queryFlag.optional(),
});

export const supportBundleParams = z.object({ id: uuid("a bundle id") });
export const listSupportBundlesQuery = z.object({ limit: listLimitSchema, cursor, pc_id: pcIdSchema.optional() });

/** `actor`, `action` and `target` match a prefix when they end in `*`. */
export const listAuditQuery = z.object({
  limit: listLimitSchema,
  cursor,
  actor: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  since: isoTime.transform((t) => new Date(t).toISOString()).optional(),
  until: isoTime.transform((t) => new Date(t).toISOString()).optional(),
});

/** `GET /api/events`: newest first; `since` inclusive, `until` exclusive. */
export const listEventsQuery = z.object({
  limit: listLimitSchema,
  cursor,
  pc: pcIdSchema.optional(),
  kind: z.enum(EVENT_KINDS, { error: `expected one of ${EVENT_KINDS.join(", ")}` }).optional(),
  since: isoTime.transform((t) => new Date(t).toISOString()).optional(),
  until: isoTime.transform((t) => new Date(t).toISOString()).optional(),
});

// ---- bodies only the API uses -----------------------------------------------------------------
export const groupsBodySchema = z.object({ groups: z.array(groupNameSchema) }).strict();
/** `POST /api/groups/{g}/members`: many PCs into one group in one request. */
export const groupMembersBodySchema = z.object({ pcs: z.array(pcIdSchema).min(1, "expected at least one pc_id").max(100_000) }).strict();
export type GroupMembersBody = z.infer<typeof groupMembersBodySchema>;
export type GroupsBody = z.infer<typeof groupsBodySchema>;

/**
 * JSON merge patch of a config scope: a field set to null is removed. Validated after merging (as
 * INVALID_CONFIG naming each field), so the patch itself is any object.
 */
export const configPatchSchema = z.record(z.string(), z.unknown());
export type ConfigPatch = z.infer<typeof configPatchSchema>;
