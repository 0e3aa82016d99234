/** The one error a client of the API throws: the backend's error body, or what went wrong before it. */
import * as z from "zod";
import { apiErrorBodySchema, errorCodeSchema, type ErrorCode, type ErrorDetail } from "../errors.js";

/**
 * Failures a client detects itself, when there is no error body to read: the backend cannot be
 * reached (`NETWORK`), a success answer is not JSON or does not match its schema (`BAD_RESPONSE`), or an
 * error answer is not an API error body (`HTTP_ERROR`, e.g. a proxy's HTML page).
 */
export const CLIENT_ERROR_CODES = ["NETWORK", "BAD_RESPONSE", "HTTP_ERROR"] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export interface ApiErrorOptions {
  /** HTTP status of the answer; undefined when none arrived. */
  status?: number;
  details?: readonly ErrorDetail[];
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  readonly status: number | undefined;
  readonly details: readonly ErrorDetail[];
  constructor(code: ErrorCode | ClientErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = options.status;
    this.details = options.details ?? [];
  }
}

// An error body whose code this build does not know yet (a newer backend): keep its message.
const unknownCodeBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The ApiError for a non-2xx answer whose body text is `text`; `what` names the request (`GET /api/jobs`). */
export function apiErrorFromAnswer(status: number, statusText: string, text: string, what: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const excerpt = text.trim().slice(0, 200);
    return new ApiError("HTTP_ERROR", `${what}: HTTP ${status} ${statusText}${excerpt ? `: ${excerpt}` : ""}`.trim(), { status, cause: err });
  }
  const parsed = apiErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(code, message, { status, ...(details ? { details } : {}) });
  }
  const unknown = unknownCodeBodySchema.safeParse(body);
  if (unknown.success && !errorCodeSchema.safeParse(unknown.data.error.code).success) {
    return new ApiError("HTTP_ERROR", `${unknown.data.error.message} (${unknown.data.error.code}, HTTP ${status})`, { status });
  }
  return new ApiError("HTTP_ERROR", `${what}: HTTP ${status} ${statusText} with an unexpected error body`.trim(), { status });
}

/** The deepest cause's message: fetch says "fetch failed", the reason (ECONNREFUSED …) is below. */
export function rootCauseMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof AggregateError && e.errors[0] instanceof Error) e = e.errors[0];
  return e instanceof Error ? e.message : String(e);
}

/** `at items.0.counts.total: expected number, received string`: where a response broke its schema. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".");
  return `${path ? `at ${path}: ` : ""}${issue.message}`;
}
