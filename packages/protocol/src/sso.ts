/**
 * Single sign-on with OpenID Connect: which sign-in methods a backend offers, and the one-time handoff
 * that turns a finished provider sign-in into a kanade session for the web UI or the CLI.
 */
import * as z from "zod";

/** `GET /api/auth/methods`: what the sign-in page offers. `sso` is absent when OIDC is not configured. */
export const authMethodsSchema = z.object({
  password: z.boolean(),
  sso: z.object({ name: z.string() }).optional(),
});
export type AuthMethods = z.infer<typeof authMethodsSchema>;

/** Base64url without padding, as PKCE writes it (RFC 7636): 43 characters for 32 bytes. */
const b64url = (min: number, max: number) => z.string().min(min).max(max).regex(/^[A-Za-z0-9_-]+$/, "expected base64url characters");

/**
 * Where the signed-in session goes after the provider: back to the web UI (`web`, default), or to the CLI's
 * listener on the loopback address (`http://127.0.0.1:<port>/...`, nothing else: no open redirect).
 */
export const ssoReturnSchema = z
  .string()
  .max(200)
  .refine((s) => s === "web" || /^http:\/\/127\.0\.0\.1:\d{1,5}\/[A-Za-z0-9/_-]*$/.test(s), {
    message: 'expected "web" or a loopback URL like http://127.0.0.1:53682/callback',
  });

/** `GET /api/auth/oidc/start` */
export const ssoStartQuery = z
  .object({
    return_to: ssoReturnSchema.optional(),
    /** SHA-256 of a secret the caller keeps (base64url); the handoff then needs that secret. */
    handoff_challenge: b64url(43, 43).optional(),
  })
  .strict();
export type SsoStartQuery = z.infer<typeof ssoStartQuery>;

/** `GET /api/auth/oidc/callback`: what the provider sends back (its error form included). */
export const ssoCallbackQuery = z
  .object({
    code: z.string().max(4096).optional(),
    state: z.string().max(512).optional(),
    error: z.string().max(256).optional(),
    error_description: z.string().max(2048).optional(),
    iss: z.string().max(2048).optional(),
    session_state: z.string().max(2048).optional(),
  })
  .loose();

/** `POST /api/auth/oidc/handoff`: the one-time code from the redirect, and the secret behind its challenge. */
export const ssoHandoffSchema = z
  .object({
    code: b64url(43, 43),
    verifier: b64url(43, 128).optional(),
  })
  .strict();
export type SsoHandoff = z.infer<typeof ssoHandoffSchema>;
