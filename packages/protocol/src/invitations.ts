/** Invitations and password-reset links sent by e-mail (issue 18 §2; docs/operator/governance.md "Invitations"). */
import * as z from "zod";
import { isDuration } from "./duration.js";
import { passwordSchema, roleSchema, usernameSchema } from "./governance.js";

export const emailSchema = z.string().trim().max(254).email("expected an e-mail address like someone@example.com");

/** A link token as mailed: 32 random bytes, base64url (43 characters). */
export const linkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "expected the token from the mailed link (43 characters)");

export const invitationCreateSchema = z
  .object({
    email: emailSchema,
    role: roleSchema,
    /** How long the link works (default 72h, at most 30d). */
    expires: z.string().refine(isDuration, { message: "expected a duration like 72h or 7d" }).optional(),
  })
  .strict();
export type InvitationCreate = z.infer<typeof invitationCreateSchema>;

export const INVITATION_STATES = ["pending", "used", "expired", "revoked"] as const;
export const invitationStateSchema = z.enum(INVITATION_STATES);

export const invitationViewSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  state: invitationStateSchema,
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  used_at: z.string().nullable(),
  /** The account the invitation made, once used. */
  username: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type InvitationView = z.infer<typeof invitationViewSchema>;

export const invitationIdParams = z.object({ id: z.string().min(1).max(64) }).strict();
export const linkTokenParams = z.object({ token: linkTokenSchema }).strict();

/** What the link's owner sees before accepting (no auth). */
export const invitationPublicSchema = z.object({ email: z.string(), role: roleSchema, expires_at: z.string() });
export type InvitationPublic = z.infer<typeof invitationPublicSchema>;

export const invitationAcceptSchema = z.object({ username: usernameSchema, password: passwordSchema }).strict();
export type InvitationAccept = z.infer<typeof invitationAcceptSchema>;

export const invitationAcceptedSchema = z.object({ username: z.string(), role: roleSchema, email: z.string() });

export const invitationRevokedSchema = z.object({ id: z.string(), revoked: z.literal(true) });

/** `POST /api/auth/password-reset`: a username or an e-mail address; the answer is 202 whatever it names. */
export const passwordResetRequestSchema = z
  .object({ username: z.string().min(1).max(254).optional(), email: z.string().min(1).max(254).optional() })
  .strict()
  .refine((b) => (b.username === undefined) !== (b.email === undefined), { message: "give username or email (one of them)", path: ["username"] });
export type PasswordResetRequest = z.infer<typeof passwordResetRequestSchema>;

export const passwordResetAcceptedSchema = z.object({ accepted: z.literal(true) });

export const passwordResetCompleteSchema = z.object({ token: linkTokenSchema, new_password: passwordSchema }).strict();
export type PasswordResetComplete = z.infer<typeof passwordResetCompleteSchema>;

export const passwordResetDoneSchema = z.object({ username: z.string(), sessions_ended: z.number().int() });
