/**
 * Enrollment (issue 12 §2): an agent asks to join with its own public key over the enrollment credential;
 * an operator (or an enrollment token) accepts it, which mints its broker credential.
 */
import * as z from "zod";
import { isDuration } from "./duration.js";
import { GROUP_RE } from "./ids.js";
import { pcIdSchema } from "./messages.js";
import { commandKeySchema } from "./signing.js";

/** A NATS user public key: `U` + 55 base32 characters. */
export const userPublicKeySchema = z.string().regex(/^U[A-Z2-7]{55}$/, "expected a NATS user public key (U…, 56 characters)");

/** `enroll.request` body. */
export const enrollRequestSchema = z.object({
  pc_id: pcIdSchema,
  hostname: z.string().min(1).max(255),
  public_key: userPublicKeySchema,
  /** An enrollment token accepts the request at once (deploy scripts pass one). */
  enroll_token: z.string().min(1).max(200).optional(),
  agent_version: z.string().max(64).optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export const ENROLL_REPLY_STATUSES = ["pending", "accepted", "rejected", "conflict"] as const;
export type EnrollReplyStatus = (typeof ENROLL_REPLY_STATUSES)[number];

export const enrollReplySchema = z.object({
  status: z.enum(ENROLL_REPLY_STATUSES),
  message: z.string(),
  /** When accepted: the agent's user JWT (useless without the agent's own seed). */
  jwt: z.string().optional(),
  /** When accepted: the command-signing keys the agent pins. */
  command_keys: z.array(commandKeySchema).optional(),
});
export type EnrollReply = z.infer<typeof enrollReplySchema>;

export const ENROLLMENT_STATES = ["pending", "accepted", "rejected", "revoked"] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export const enrollmentViewSchema = z.object({
  pc_id: z.string(),
  hostname: z.string(),
  public_key: z.string(),
  state: z.enum(ENROLLMENT_STATES),
  requested_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  /** The enrollment token that accepted it, by id. */
  via_token: z.string().nullable(),
  /** A request for this pc_id under another key, waiting for an operator; never applied by itself. */
  conflict: z.object({ public_key: z.string(), hostname: z.string(), requested_at: z.string() }).nullable(),
});
export type EnrollmentView = z.infer<typeof enrollmentViewSchema>;

export const enrollmentDecisionBodySchema = z.object({ pcs: z.array(pcIdSchema).min(1, "expected at least one pc_id").max(10_000) }).strict();
export const enrollmentListQuerySchema = z.object({ state: z.enum([...ENROLLMENT_STATES, "attention"]).optional() }).strict();

export const enrollTokenCreateSchema = z
  .object({
    group: z.string().regex(GROUP_RE, "expected a group name (letters, digits, _ and -, at most 63)").optional(),
    uses: z.number().int().min(1).max(100_000).default(1),
    expires: z.string().refine(isDuration, { message: "expected a duration like 24h or 7d" }).default("24h"),
  })
  .strict();
export type EnrollTokenCreate = z.input<typeof enrollTokenCreateSchema>;

export const enrollTokenViewSchema = z.object({
  token_id: z.string(),
  group: z.string().nullable(),
  uses_left: z.number().int(),
  expires_at: z.string(),
  created_by: z.string(),
  created_at: z.string(),
});
export type EnrollTokenView = z.infer<typeof enrollTokenViewSchema>;
/** Shown once, at creation: the secret itself is never stored, only its hash. */
export const enrollTokenCreatedSchema = enrollTokenViewSchema.extend({ token: z.string() });
export type EnrollTokenCreated = z.infer<typeof enrollTokenCreatedSchema>;

/** `GET /api/agents/installer.sh|ps1`: authenticated by an enrollment token, not a session. */
export const installerQuerySchema = z.object({ token: z.string().min(1).max(200) }).strict();
/** `GET /api/agents/installer.bin`: the release the installer fetches, by key. */
export const installerReleaseQuerySchema = z.object({ token: z.string().min(1).max(200), key: z.string().min(1).max(200) }).strict();
