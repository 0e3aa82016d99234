/** What `ErrorBox` shows for an error: an `ApiError`'s typed code, its message (or a translated lead), its details. */
import { ApiError, rootCauseMessage, type ClientErrorCode, type ErrorCode, type ErrorDetail } from "@kanade/protocol";
import type { MessageKey } from "../i18n/en.js";

export interface ErrorView {
  /** The API's code (`JOB_NOT_FOUND`) or the client's (`NETWORK`, `BAD_RESPONSE`, `HTTP_ERROR`). */
  code?: ErrorCode | ClientErrorCode;
  message: string;
  /** A translated sentence shown instead of the raw message, for failures the API did not word itself. */
  lead?: { key: MessageKey; vars: Record<string, string> };
  /** What the code means, in the page's language (the API's own message is English). */
  meaning?: MessageKey;
  details: readonly ErrorDetail[];
}

/** API codes whose meaning the catalogs translate (`error.<CODE>`). */
export const CODE_MEANINGS = [
  "BAD_REQUEST",
  "INVALID_MANIFEST",
  "INVALID_CONFIG",
  "NO_TARGET",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "JOB_NOT_FOUND",
  "EXECUTION_NOT_FOUND",
  "AGENT_NOT_FOUND",
  "RESULT_NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "NATS_UNAVAILABLE",
  "TIMEOUT",
  "LINK_GONE",
  "MAIL_UNAVAILABLE",
] as const;

export function errorView(error: Error | string): ErrorView {
  if (typeof error === "string") return { message: error, details: [] };
  if (!(error instanceof ApiError)) return { message: error.message, details: [] };
  const meaning = CODE_MEANINGS.find((c) => c === error.code);
  const base = { code: error.code, message: error.message, details: error.details, ...(meaning ? { meaning: `error.${meaning}` as const } : {}) };
  if (error.code === "NETWORK") return { ...base, lead: { key: "common.networkError", vars: { message: rootCauseMessage(error) } } };
  if (error.code === "BAD_RESPONSE") return { ...base, lead: { key: "common.badResponse", vars: { message: error.message } } };
  return base;
}
