/** Sign-in and approval logic kept out of React: checking a token, reading login errors, role gates. */
import { roleAtLeast, type ExecutionSummary, type Identity } from "@kanade/protocol";
import { ApiError, type ApiClient } from "../api/client.js";
import type { MessageKey } from "../i18n/en.js";

/**
 * Who the token belongs to (`GET /api/auth/me`). A backend without that route (older, or without governance)
 * answers 404 there: the token is then checked on a plain read and the identity is unknown (null).
 * Throws the ApiError otherwise (401 = the token is not accepted).
 */
export async function whoAmI(api: ApiClient): Promise<Identity | null> {
  try {
    return await api.get<Identity>("/api/auth/me");
  } catch (err) {
    if (!(err instanceof ApiError) || !err.routeMissing) throw err;
  }
  await api.get("/api/agents?limit=1");
  return null;
}

/**
 * Ends the session on the backend (`POST /api/auth/logout`) so a copy of the token is worthless too.
 * False when it could not be ended there: already ended (401), an older backend (404), or unreachable;
 * the caller forgets the token either way.
 */
export async function endSession(api: ApiClient): Promise<boolean> {
  try {
    await api.send("POST", "/api/auth/logout");
    return true;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}

/** Operators and admins may change things; an unknown identity (older backend) is not second-guessed. */
export const canOperate = (me: Identity | null): boolean => me === null || roleAtLeast(me.role, "operator");

/** A translated message for the login answers worth explaining; null = show the API error as it is. */
export function loginProblem(err: ApiError): { key: MessageKey; vars?: Record<string, string> } | null {
  if (err.status === 401) return { key: "signin.badCredentials" };
  if (err.status === 429 || err.code === "RATE_LIMITED") return { key: "signin.rateLimited", vars: { message: err.message } };
  return null;
}

export const MIN_PASSWORD = 8;

/** Checks a password change before it is sent; the backend checks again. */
export function passwordProblem(current: string, next: string, repeat: string): MessageKey | null {
  if (!current) return "password.needCurrent";
  if (next.length < MIN_PASSWORD) return "password.tooShort";
  if (next !== repeat) return "password.mismatch";
  if (next === current) return "password.same";
  return null;
}

export interface ApprovalView {
  /** The execution waits for someone to approve or reject it. */
  pending: boolean;
  /** The signed-in identity requested it, so the backend will refuse its decision. */
  ownRequest: boolean;
  /** Show Approve / Reject enabled. Own requests stay enabled so the backend's reason is shown. */
  canDecide: boolean;
}

export function approvalView(e: Pick<ExecutionSummary, "state" | "issued_by">, me: Identity | null): ApprovalView {
  const pending = e.state === "pending_approval";
  return { pending, ownRequest: me !== null && me.actor === e.issued_by, canDecide: pending && canOperate(me) };
}
