/** Answers that only the API produces (acknowledgements, small views), as the backend's handlers write them. */
import * as z from "zod";
import { fleetPerfSortSchema, jobStatusSchema, listResponseSchema } from "../api.js";
import { configScopeViewSchema, effectiveConfigSchema } from "../config-resolve.js";
import { jobFactChangeSchema, jobFactsTableSchema } from "../fleet.js";
import { hostPerfSchema } from "../messages.js";

/** `GET /health`: `nats` is `disconnected` while the broker is unreachable. */
export const healthSchema = z.object({
  status: z.literal("ok"),
  nats: z.enum(["connected", "disconnected"]),
  db: z.literal("ok"),
});
export type Health = z.infer<typeof healthSchema>;

/** `GET /schemas/{file}`: a JSON Schema document (see json-schemas.ts). */
export const jsonSchemaDocumentSchema = z.record(z.string(), z.unknown());

/** `POST /api/auth/logout`: the session token no longer works. */
export const logoutResponseSchema = z.object({ ended: z.literal(true) });
export type LogoutResponse = z.infer<typeof logoutResponseSchema>;

/** `POST /api/jobs`: 201 when created, 200 when it replaced a job. */
export const jobStoredSchema = z.object({ id: z.string(), version: z.string() });
export type JobStored = z.infer<typeof jobStoredSchema>;

/** `DELETE /api/jobs/{id}`: a deleted job is also revoked. */
export const jobDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true), status: jobStatusSchema });
export type JobDeleted = z.infer<typeof jobDeletedSchema>;

/** `POST /api/jobs/{id}/revoke|unrevoke`: the job's `script_status` now. */
export const jobStatusChangeSchema = z.object({ id: z.string(), status: jobStatusSchema });
export type JobStatusChange = z.infer<typeof jobStatusChangeSchema>;

export const executionKilledSchema = z.object({ exec_id: z.string(), killed: z.literal(true) });
export type ExecutionKilled = z.infer<typeof executionKilledSchema>;

export const agentDeletedSchema = z.object({ pc_id: z.string(), deleted: z.literal(true) });
/** `GET /api/fleet/summary`: the agents the caller may see (as `GET /api/agents` lists them), counted. */
export const fleetSummarySchema = z.object({
  agents: z.object({ total: z.number().int().nonnegative(), online: z.number().int().nonnegative(), offline: z.number().int().nonnegative() }),
});
export type FleetSummary = z.infer<typeof fleetSummarySchema>;
export type AgentDeleted = z.infer<typeof agentDeletedSchema>;

/** A PC's groups after a read or a change. */
/** A PC's groups (static ∪ dynamic, what the agent follows); `static`/`dynamic` apart when the backend knows them. */
export const agentGroupsViewSchema = z.object({ pc_id: z.string(), groups: z.array(z.string()), static: z.array(z.string()).optional(), dynamic: z.array(z.string()).optional() });
export type AgentGroupsView = z.infer<typeof agentGroupsViewSchema>;

export const accountDeletedSchema = z.object({ username: z.string(), deleted: z.literal(true) });
export type AccountDeleted = z.infer<typeof accountDeletedSchema>;

/** A stored object (package, script object, agent build) was deleted. */
export const objectDeletedSchema = z.object({ key: z.string(), deleted: z.literal(true) });
export type ObjectDeleted = z.infer<typeof objectDeletedSchema>;

/** One config scope (`global`, `groups.<g>`, `pcs.<pc>`) and its fields; `{}` when nothing is set. */
export const configScopeAnswerSchema = z.object({ scope: z.string(), config: configScopeViewSchema });
export type ConfigScopeAnswer = z.infer<typeof configScopeAnswerSchema>;

/** `GET /api/agents/{pc}/effective_config`: the resolution plus the groups it used. */
export const effectiveConfigAnswerSchema = effectiveConfigSchema.extend({ pc_id: z.string(), groups: z.array(z.string()) });
export type EffectiveConfigAnswer = z.infer<typeof effectiveConfigAnswerSchema>;

/** `GET /api/perf/fleet`: the newest sample of each PC, hottest first, and how many PCs are known. */
export const fleetPerfSchema = z.object({
  items: z.array(hostPerfSchema),
  total: z.number().int(),
  sort: fleetPerfSortSchema,
  next_cursor: z.string().nullable(),
});
export type FleetPerf = z.infer<typeof fleetPerfSchema>;

/** `GET /api/inventory/jobs/{job}`: the fleet table, or with `history` the changes (no `columns`). */
export const jobFactsAnswerSchema = z.union([jobFactsTableSchema, listResponseSchema(jobFactChangeSchema)]);
export type JobFactsAnswer = z.infer<typeof jobFactsAnswerSchema>;
