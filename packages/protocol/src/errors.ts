/** Stable error codes shared by the backend (HTTP status) and the CLI (exit code). */
import * as z from "zod";

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, message: "The request is malformed" },
  INVALID_MANIFEST: { status: 400, message: "The job manifest is invalid" },
  NO_TARGET: { status: 400, message: "No target: give pcs, groups or all" },
  INVALID_CONFIG: { status: 400, message: "The configuration is invalid" },
  INVALID_SCHEDULE: { status: 400, message: "The schedule is invalid" },
  INVALID_NOTIFICATION: { status: 400, message: "The notification is invalid" },
  UNAUTHORIZED: { status: 401, message: "Missing or invalid bearer token" },
  FORBIDDEN: { status: 403, message: "Not allowed for this account" },
  OUT_OF_SCOPE: { status: 403, message: "Outside the PCs or capabilities of this account's permission groups" },
  PASSWORD_CHANGE_REQUIRED: { status: 403, message: "This account must change its password first" },
  TOTP_ENROLLMENT_REQUIRED: { status: 403, message: "This account's role requires two-factor sign-in; enrol TOTP first" },
  NOT_FOUND: { status: 404, message: "No such route or resource" },
  JOB_NOT_FOUND: { status: 404, message: "No such job" },
  EXECUTION_NOT_FOUND: { status: 404, message: "No such execution" },
  RESULT_NOT_FOUND: { status: 404, message: "No such result" },
  AGENT_NOT_FOUND: { status: 404, message: "No such agent" },
  ACCOUNT_NOT_FOUND: { status: 404, message: "No such account" },
  SCHEDULE_NOT_FOUND: { status: 404, message: "No such schedule" },
  NOTIFICATION_NOT_FOUND: { status: 404, message: "No such notification" },
  OBJECT_NOT_FOUND: { status: 404, message: "No such stored object (package, script object or agent release)" },
  RELEASE_NOT_PUBLISHED: { status: 409, message: "That agent version is not in agent_releases" },
  CONFLICT: { status: 409, message: "The resource changed or is in the wrong state" },
  FLEET_FROZEN: { status: 409, message: "A fleet freeze holds: nothing runs without during_freeze" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large" },
  OUTPUT_TOO_LARGE: { status: 422, message: "The full output is too large to return in JSON; stream it instead" },
  SSO_FAILED: { status: 400, message: "The single sign-on answer was refused (wrong or expired state, nonce or code); start again" },
  SSO_REFUSED: { status: 403, message: "Signed in at the identity provider, but no group or role claim maps to a kanade role" },
  SSO_UNAVAILABLE: { status: 502, message: "The identity provider cannot be reached or answered with an error" },
  LINK_GONE: { status: 410, message: "This link has expired, was already used or was revoked" },
  RATE_LIMITED: { status: 429, message: "Too many attempts; wait and try again" },
  NATS_UNAVAILABLE: { status: 503, message: "The NATS broker cannot be reached" },
  MAIL_UNAVAILABLE: { status: 503, message: "Mail cannot be sent: SMTP is not configured or the SMTP server failed" },
  TIMEOUT: { status: 504, message: "No reply in time" },
  INTERNAL: { status: 500, message: "Internal error" },
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (s: string): s is ErrorCode => Object.hasOwn(ERROR_CODES, s);

export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** One field at fault: its dotted path (empty for the whole body) and what is wrong with it. */
export const errorDetailSchema = z.object({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** The JSON body of every API error: the backend's error handler writes it, every client reads it. */
export const apiErrorBodySchema = z.object({
  error: z.object({ code: errorCodeSchema, message: z.string(), details: z.array(errorDetailSchema).optional() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

/** An error with a stable code, mapped to an HTTP status in one place. */
export class KanadeError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  constructor(code: ErrorCode, message?: string, options?: { details?: ErrorDetail[]; cause?: unknown }) {
    super(message ?? ERROR_CODES[code].message, { cause: options?.cause });
    this.name = "KanadeError";
    this.code = code;
    this.details = options?.details;
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}
