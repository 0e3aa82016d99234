/** Two-factor sign-in (TOTP, RFC 6238) API shapes: enrolment, the second sign-in step, the per-role policy. */
import * as z from "zod";
import { loginResponseSchema, roleSchema } from "./governance.js";

/** Six digits, as authenticator apps show them (spaces a user may type are dropped first). */
export const totpCodeSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "expected the 6-digit code from the authenticator app"));

/** A recovery code as shown at confirm (`xxxxx-xxxxx`); case and the dash do not matter. */
export const recoveryCodeSchema = z
  .string()
  .transform((s) => s.replace(/[\s-]+/g, "").toLowerCase())
  .pipe(z.string().regex(/^[a-z2-7]{10}$/, "expected a recovery code like abcde-fgh23"));

/** The password step's answer for an account with TOTP: no session yet, a short-lived challenge to complete. */
export const secondFactorRequiredSchema = z.object({
  second_factor_required: z.literal(true),
  challenge: z.string(),
  expires_at: z.string(),
  username: z.string(),
});
export type SecondFactorRequired = z.infer<typeof secondFactorRequiredSchema>;

/** `POST /api/auth/login`: a session, or the demand for a second factor. */
export const loginResultSchema = z.union([loginResponseSchema, secondFactorRequiredSchema]);
export type LoginResult = z.infer<typeof loginResultSchema>;

export const isSecondFactorRequired = (r: LoginResult): r is SecondFactorRequired => "second_factor_required" in r;

/** `POST /api/auth/login/second-factor`: exactly one of `code` and `recovery_code`. */
export const secondFactorRequestSchema = z
  .object({ challenge: z.string().min(1).max(200), code: totpCodeSchema.optional(), recovery_code: recoveryCodeSchema.optional() })
  .strict()
  .refine((b) => (b.code === undefined) !== (b.recovery_code === undefined), {
    message: "give exactly one of code and recovery_code",
    path: ["code"],
  });
export type SecondFactorRequest = z.infer<typeof secondFactorRequestSchema>;

/** `GET /api/account/totp`: the caller's own two-factor state. */
export const totpStatusSchema = z.object({
  enabled: z.boolean(),
  /** The caller's role is in `required_roles`. */
  required: z.boolean(),
  /** Unused recovery codes left (0 while not enabled). */
  recovery_codes_left: z.number().int(),
});
export type TotpStatus = z.infer<typeof totpStatusSchema>;

/** `POST /api/account/totp/enroll`: shown once; the secret is never returned again. */
export const totpEnrollmentSchema = z.object({
  secret: z.string(),
  otpauth_uri: z.string(),
  /** The otpauth URI as a QR code, `data:image/svg+xml;base64,...`. */
  qr_data_url: z.string(),
});
export type TotpEnrollment = z.infer<typeof totpEnrollmentSchema>;

export const totpCodeBodySchema = z.object({ code: totpCodeSchema }).strict();
export type TotpCodeBody = z.infer<typeof totpCodeBodySchema>;

/** `POST /api/account/totp/confirm`: TOTP is on; these recovery codes are shown only now. */
export const totpConfirmedSchema = z.object({ enabled: z.literal(true), recovery_codes: z.array(z.string()) });
export type TotpConfirmed = z.infer<typeof totpConfirmedSchema>;

export const totpDisabledSchema = z.object({ username: z.string(), enabled: z.literal(false) });
export type TotpDisabled = z.infer<typeof totpDisabledSchema>;

/** `GET|PUT /api/auth/totp-policy`: roles whose accounts must enrol before anything else. */
export const totpPolicySchema = z.object({ required_roles: z.array(roleSchema) }).strict();
export type TotpPolicy = z.infer<typeof totpPolicySchema>;
