/** Governance API shapes (SPEC §7): accounts and roles, login, approvals, audit, JetStream status. */
import * as z from "zod";
import { callerScopeSchema } from "./perm-groups.js";

/** Roles nest: every viewer right is an operator right, every operator right an admin right. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** True when `have` includes every right of `need`. */
export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);

export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const usernameSchema = z.string().regex(USERNAME_RE, "expected a username (letters, digits, . _ @ -; up to 64)");
/** Long enough to resist guessing, short enough that hashing cannot be abused. */
export const passwordSchema = z.string().min(8, "at least 8 characters").max(1024);

export const loginRequestSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict();
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const loginResponseSchema = z.object({
  token: z.string(),
  expires_at: z.string(),
  username: z.string(),
  role: roleSchema,
  must_change_password: z.boolean(),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const passwordChangeSchema = z.object({ current_password: z.string().min(1).max(1024), new_password: passwordSchema }).strict();
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

/** `GET /api/auth/me` */
export const identitySchema = z.object({
  actor: z.string(),
  role: roleSchema,
  kind: z.enum(["account", "static-token", "anonymous"]),
  must_change_password: z.boolean(),
  /** Set for an account in permission groups: what it is scoped to. */
  scope: callerScopeSchema.optional(),
});
export type Identity = z.infer<typeof identitySchema>;

/** An account's e-mail address (invitations, password-reset links). */
const accountEmailSchema = z.string().trim().max(254).email("expected an e-mail address like someone@example.com");

export const accountCreateSchema = z
  .object({ username: usernameSchema, password: passwordSchema, role: roleSchema, email: accountEmailSchema.optional() })
  .strict();
export type AccountCreate = z.infer<typeof accountCreateSchema>;

export const accountPatchSchema = z
  .object({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    must_change_password: z.boolean().optional(),
    /** null removes it. */
    email: accountEmailSchema.nullable().optional(),
  })
  .strict();
export type AccountPatch = z.infer<typeof accountPatchSchema>;

export const accountSummarySchema = z.object({
  username: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  must_change_password: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  last_login_at: z.string().nullable(),
  /** Where invitation and password-reset mail goes; null when unset. */
  email: z.string().nullable(),
  /** Made by single sign-on: no local password; the role follows the provider's group claim. */
  sso: z.literal(true).optional(),
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

/** `POST /api/executions/{id}/approve|reject` answer. */
export const approvalResponseSchema = z.object({
  exec_id: z.string(),
  state: z.enum(["running", "rejected"]),
  decided_by: z.string(),
  decided_at: z.string(),
});
export type ApprovalResponse = z.infer<typeof approvalResponseSchema>;

/** The event every mutation publishes on `audit.<action>`; one `audit_log` row per event id. */
export const auditEventSchema = z.object({
  id: z.string().min(1),
  at: z.string().min(1),
  actor: z.string(),
  action: z.string().min(1),
  target: z.string(),
  payload_summary: z.record(z.string(), z.unknown()).default({}),
  source_ip: z.string().nullable().default(null),
});
export type AuditRecord = z.infer<typeof auditEventSchema>;

/** `GET /api/jetstream/status` */
export const jetStreamUsageSchema = z.object({
  kind: z.enum(["stream", "kv", "object_store"]),
  name: z.string(),
  messages: z.number(),
  bytes: z.number(),
  /** -1 = no limit configured. */
  max_bytes: z.number(),
  max_msgs: z.number(),
  max_age_secs: z.number(),
  /** bytes / max_bytes as a percentage, or null without a byte limit. */
  bytes_used_pct: z.number().nullable(),
  consumers: z.number(),
});
export type JetStreamUsage = z.infer<typeof jetStreamUsageSchema>;

export const jetStreamStatusSchema = z.object({ items: z.array(jetStreamUsageSchema) });
export type JetStreamStatus = z.infer<typeof jetStreamStatusSchema>;

/** `GET /api/jetstream/kv/{bucket}/{key}`: one live KV entry, its value as UTF-8 text. */
export const kvEntryViewSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  value: z.string(),
  revision: z.number(),
  created: z.string(),
});
export type KvEntryView = z.infer<typeof kvEntryViewSchema>;

/** `PUT /api/jetstream/kv/{bucket}/{key}` body: the value to store, as text. */
export const kvPutRequestSchema = z.object({ value: z.string() }).strict();
export type KvPutRequest = z.infer<typeof kvPutRequestSchema>;

/** `PUT /api/jetstream/kv/{bucket}/{key}` answer. */
export const kvPutResponseSchema = z.object({ bucket: z.string(), key: z.string(), revision: z.number() });
export type KvPutResponse = z.infer<typeof kvPutResponseSchema>;

/** `DELETE /api/jetstream/kv/{bucket}/{key}` answer. */
export const kvDeleteResponseSchema = z.object({ bucket: z.string(), key: z.string(), deleted: z.literal(true) });
export type KvDeleteResponse = z.infer<typeof kvDeleteResponseSchema>;
