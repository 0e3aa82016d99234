/** Governance API shapes (SPEC §7): accounts and roles, login, approvals, audit, JetStream status. */
import { z } from "zod";

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

export interface LoginResponse {
  token: string;
  expires_at: string;
  username: string;
  role: Role;
  must_change_password: boolean;
}

export const passwordChangeSchema = z.object({ current_password: z.string().min(1).max(1024), new_password: passwordSchema }).strict();
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

/** `GET /api/auth/me` */
export interface Identity {
  actor: string;
  role: Role;
  kind: "account" | "static-token" | "anonymous";
  must_change_password: boolean;
}

export const accountCreateSchema = z.object({ username: usernameSchema, password: passwordSchema, role: roleSchema }).strict();
export type AccountCreate = z.infer<typeof accountCreateSchema>;

export const accountPatchSchema = z
  .object({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
    must_change_password: z.boolean().optional(),
  })
  .strict();
export type AccountPatch = z.infer<typeof accountPatchSchema>;

export interface AccountSummary {
  username: string;
  role: Role;
  disabled: boolean;
  must_change_password: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

/** `POST /api/executions/{id}/approve|reject` answer. */
export interface ApprovalResponse {
  exec_id: string;
  state: "running" | "rejected";
  decided_by: string;
  decided_at: string;
}

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
export interface JetStreamUsage {
  kind: "stream" | "kv" | "object_store";
  name: string;
  messages: number;
  bytes: number;
  /** -1 = no limit configured. */
  max_bytes: number;
  max_msgs: number;
  max_age_secs: number;
  /** bytes / max_bytes as a percentage, or null without a byte limit. */
  bytes_used_pct: number | null;
  consumers: number;
}

export interface JetStreamStatus {
  items: JetStreamUsage[];
}

/** `GET /api/jetstream/kv/{bucket}/{key}`: one live KV entry, its value as UTF-8 text. */
export interface KvEntryView {
  bucket: string;
  key: string;
  value: string;
  revision: number;
  created: string;
}

/** `PUT /api/jetstream/kv/{bucket}/{key}` body: the value to store, as text. */
export const kvPutRequestSchema = z.object({ value: z.string() }).strict();
export type KvPutRequest = z.infer<typeof kvPutRequestSchema>;

/** `PUT /api/jetstream/kv/{bucket}/{key}` answer. */
export interface KvPutResponse {
  bucket: string;
  key: string;
  revision: number;
}

/** `DELETE /api/jetstream/kv/{bucket}/{key}` answer. */
export interface KvDeleteResponse {
  bucket: string;
  key: string;
  deleted: true;
}
