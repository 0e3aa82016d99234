/**
 * Signing in and out: login, a caller's own password change, logout. Every password check reserves its
 * attempt in the login throttle first, synchronously, so a burst of parallel guesses gets only the few
 * checks the throttle allows; the rest are refused (429) without hashing anything.
 */
import {
  KanadeError,
  type Identity,
  type LoginRequest,
  type LoginResponse,
  type LoginResult,
  type LogoutResponse,
  type PasswordChange,
  type Role,
  type SecondFactorRequest,
} from "@kanade/protocol";
import type { Audit } from "../audit/index.js";
import type { RequestSession } from "../auth.js";
import type { Caller } from "../caller.js";
import type { AccountRecord, AccountStore } from "./account-store.js";
import { hashPassword, passwordMatches } from "./accounts.js";
import { RateLimitedError, retryAfterSecs, type LoginThrottle } from "./rate-limit.js";
import type { SessionTokens } from "./sessions.js";
import { completeChallenge, hasTotp, issueChallenge, type CodeCheckContext, type TwoFactorDeps } from "./two-factor.js";

export interface SignInDeps extends TwoFactorDeps {
  accounts: AccountStore;
  tokens: SessionTokens;
  loginThrottle: LoginThrottle;
  /** Verified against when a username does not exist, so response time does not reveal which names exist. */
  dummyHash: () => Promise<string>;
}

/** A sign-in request as plain values: who asks (before login: nobody yet), the clock, the audit trail. */
export interface SignInContext {
  caller: Caller;
  clock: () => Date;
  audit: Pick<Audit, "record">;
}

/** Records a sign-in event as `actor` (the name tried, for a login that has no identity yet). */
const record = (ctx: SignInContext, actor: string, action: string, payload: Record<string, unknown> = {}): Promise<void> =>
  ctx.audit.record({ ...ctx.caller, actor }, { action, target: actor, payload });

/** The throttle's key for the source; callers without a known address share one. */
const ipOf = (ctx: SignInContext): string => ctx.caller.sourceIp ?? "unknown";

export const sessionAnswer = (account: AccountRecord, session: { token: string; expires_at: string }): LoginResponse => ({
  token: session.token,
  expires_at: session.expires_at,
  username: account.username,
  role: account.role as Role,
  must_change_password: account.must_change_password,
});

/** How two-factor code checks see a sign-in request: wrong codes are audited as `auth.second_factor_failed`. */
export const codeCheckContext = (ctx: SignInContext): CodeCheckContext => ({
  sourceIp: ipOf(ctx),
  clock: ctx.clock,
  onWrong: (account, reason) => record(ctx, account.username, "auth.second_factor_failed", { reason }),
});

export async function login(deps: SignInDeps, body: LoginRequest, ctx: SignInContext): Promise<LoginResult> {
  const { clock } = ctx;
  const attempt = deps.loginThrottle.reserve(body.username, ipOf(ctx), clock().getTime());
  if (!attempt.ok) {
    // Once per blocked spell, so a flood of refused attempts cannot flood the audit stream.
    if (attempt.first) await record(ctx, body.username, "auth.login_throttled", { retry_after_s: retryAfterSecs(attempt.retryAfterMs) });
    throw new RateLimitedError(attempt.retryAfterMs, "Too many failed logins from this address");
  }
  const account = await deps.accounts.getAccount(body.username);
  const ok = await passwordMatches(account?.password_hash ?? (await deps.dummyHash()), body.password);
  if (!account || !ok || account.disabled) {
    attempt.ticket.failed(clock().getTime());
    const reason = !account ? "unknown_user" : !ok ? "bad_password" : "disabled";
    await record(ctx, body.username, "auth.login_failed", { reason });
    // One message for every reason, so the answer does not reveal which usernames exist.
    throw new KanadeError("UNAUTHORIZED", "Wrong username or password, or the account is disabled");
  }
  if (await hasTotp(deps.totp, account)) {
    // The attempt stays counted for (username, address) until a code completes it, so a known password
    // cannot be used to reset the backoff between code guesses.
    attempt.ticket.firstFactorPassed();
    await record(ctx, account.username, "auth.second_factor_required");
    return issueChallenge(deps.totp, account, clock());
  }
  attempt.ticket.succeeded();
  return openSession(deps, account, ctx, {});
}

async function openSession(deps: SignInDeps, account: AccountRecord, ctx: SignInContext, payload: Record<string, unknown>): Promise<LoginResponse> {
  await deps.accounts.touchLogin(account.username, ctx.clock().toISOString());
  const session = await deps.tokens.issue(account);
  await record(ctx, account.username, "auth.login", { role: account.role, ...payload });
  return sessionAnswer(account, session);
}

/** Completes a sign-in challenge with a TOTP code or a recovery code, and opens the session. */
export async function loginSecondFactor(deps: SignInDeps, body: SecondFactorRequest, ctx: SignInContext): Promise<LoginResponse> {
  const { account, factor } = await completeChallenge(deps, body, codeCheckContext(ctx));
  return openSession(deps, account, ctx, { second_factor: factor });
}

/** Changes the caller's own password, ends all of the account's sessions, and answers with a fresh one. */
export async function changeOwnPassword(deps: SignInDeps, who: Identity, body: PasswordChange, ctx: SignInContext): Promise<LoginResponse> {
  const { clock } = ctx;
  if (who.kind !== "account") throw new KanadeError("BAD_REQUEST", `"${who.actor}" is not an account; only accounts have passwords`);
  const attempt = deps.loginThrottle.reserve(who.actor, ipOf(ctx), clock().getTime());
  if (!attempt.ok) throw new RateLimitedError(attempt.retryAfterMs, "Too many wrong passwords for this account from this address");
  const account = await deps.accounts.getAccount(who.actor);
  if (!account || !(await passwordMatches(account.password_hash, body.current_password))) {
    attempt.ticket.failed(clock().getTime());
    await record(ctx, who.actor, "auth.password_change_failed");
    throw new KanadeError("FORBIDDEN", "current_password is wrong");
  }
  attempt.ticket.succeeded();
  if (body.new_password === body.current_password) {
    throw new KanadeError("BAD_REQUEST", "new_password must differ from current_password", {
      details: [{ path: "new_password", message: "must differ from the current password" }],
    });
  }
  const newHash = await hashPassword(body.new_password);
  await deps.accounts.updateAccount(account.username, { password_hash: newHash, must_change_password: false }, clock().toISOString());
  const ended = await deps.tokens.endAll(account.account_id);
  await record(ctx, account.username, "auth.password_change", { sessions_ended: ended });
  const session = await deps.tokens.issue(account);
  return sessionAnswer({ ...account, must_change_password: false }, session);
}

/** Ends the caller's own session. The static token (and anyone with auth disabled) has none to end: 400. */
export async function logout(deps: Pick<SignInDeps, "tokens">, who: Identity, session: RequestSession | undefined, ctx: SignInContext): Promise<LogoutResponse> {
  if (!session) {
    throw new KanadeError(
      "BAD_REQUEST",
      `"${who.actor}" is not a login session, so there is nothing to end; the static token works until the configured one is changed`,
    );
  }
  await deps.tokens.end(session.id);
  await record(ctx, who.actor, "auth.logout");
  return { ended: true };
}
