/** What `ErrorBox` shows for an error: an `ApiError`'s typed code, its message (or a translated lead), its details. */
import { ApiError, rootCauseMessage, type ClientErrorCode, type ErrorCode, type ErrorDetail } from "@kanade/protocol";
import type { MessageKey } from "../i18n/en.js";

export interface ErrorView {
  /** The API's code (`JOB_NOT_FOUND`) or the client's (`NETWORK`, `BAD_RESPONSE`, `HTTP_ERROR`). */
  code?: ErrorCode | ClientErrorCode;
  message: string;
  /** A translated sentence shown instead of the raw message, for failures the API did not word itself. */
  lead?: { key: MessageKey; vars: Record<string, string> };
  details: readonly ErrorDetail[];
}

export function errorView(error: Error | string): ErrorView {
  if (typeof error === "string") return { message: error, details: [] };
  if (!(error instanceof ApiError)) return { message: error.message, details: [] };
  const base = { code: error.code, message: error.message, details: error.details };
  if (error.code === "NETWORK") return { ...base, lead: { key: "common.networkError", vars: { message: rootCauseMessage(error) } } };
  if (error.code === "BAD_RESPONSE") return { ...base, lead: { key: "common.badResponse", vars: { message: error.message } } };
  return base;
}
