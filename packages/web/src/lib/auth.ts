/** Sign-in and approval logic kept out of React: checking a token, ending a session, reading login errors, role gates. */
import { roleAtLeast, type ExecutionSummary, type Identity } from "@kanade/protocol";
import { ApiError, type ApiClient } from "../api/client.js";
import type { MessageKey } from "../i18n/en.js";

/** Who the token belongs to (`getMe`). Throws the ApiError otherwise (UNAUTHORIZED = the token is not accepted). */
export const whoAmI = (api: ApiClient): Promise<Identity> => api.call("getMe");

/**
 * Ends the session on the backend (`logout`) so a copy of the token is worthless too. False when it could
 * not be ended there (already ended, a backend without sessions, unreachable); the caller forgets the
 * token either way.
 */
export async function endSession(api: ApiClient): Promise<boolean> {
  try {
    await api.call("logout");
    return true;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}

/** Operators and admins may change things. */
export const canOperate = (me: Identity): boolean => roleAtLeast(me.role, "operator");

/** A translated message for the login answers worth explaining; null = show the API error as it is. */
export function loginProblem(err: ApiError): { key: MessageKey; vars?: Record<string, string> } | null {
  if (err.code === "UNAUTHORIZED") return { key: "signin.badCredentials" };
  if (err.code === "RATE_LIMITED") return { key: "signin.rateLimited", vars: { message: err.message } };
  return null;
}

/** The same for the second sign-in step's answers. */
export function codeProblem(err: ApiError): { key: MessageKey; vars?: Record<string, string> } | null {
  if (err.code === "UNAUTHORIZED") return { key: "signin.badCode" };
  if (err.code === "RATE_LIMITED") return { key: "signin.rateLimited", vars: { message: err.message } };
  return null;
}

export const MIN_PASSWORD = 8;

/** Checks a password change before it is sent; the backend checks again. */
/** A first password (invitation) or one set with a reset link: long enough and typed twice the same. */
export function newPasswordProblem(next: string, repeat: string): MessageKey | null {
  if (next.length < MIN_PASSWORD) return "password.tooShort";
  if (next !== repeat) return "password.mismatch";
  return null;
}

export function passwordProblem(current: string, next: string, repeat: string): MessageKey | null {
  if (!current) return "password.needCurrent";
  const fresh = newPasswordProblem(next, repeat);
  if (fresh) return fresh;
  if (next === current) return "password.same";
  return null;
}

export interface ApprovalView {
  /** The execution waits for someone to approve or reject it. */
  pending: boolean;
  /** The signed-in identity requested it, so the backend will refuse its decision. */
  ownRequest: boolean;
  /** Show Approve / Reject enabled. */
  canDecide: boolean;
  /**
   * Why they are disabled while it waits: a viewer's role, the requester's own request, or a backend with auth
   * off, where everyone is `anonymous` — the requester too — so nobody can decide.
   */
  blocked?: "role" | "own" | "authOff";
}

export function approvalView(e: Pick<ExecutionSummary, "state" | "issued_by">, me: Identity): ApprovalView {
  const pending = e.state === "pending_approval";
  const ownRequest = me.actor === e.issued_by;
  const blocked = !pending ? undefined : me.kind === "anonymous" && ownRequest ? "authOff" : !canOperate(me) ? "role" : ownRequest ? "own" : undefined;
  return { pending, ownRequest, canDecide: pending && blocked === undefined, ...(blocked ? { blocked } : {}) };
}
