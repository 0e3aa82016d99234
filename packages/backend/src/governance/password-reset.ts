/**
 * Password reset by e-mail. A request names a username or an address and always answers 202, mail or no
 * mail, so nobody can probe which accounts exist; requests are throttled per source address (429) and per
 * account (further requests are dropped quietly). The mailed token works once, for an hour, and ends the
 * account's sessions. TOTP stays on: the next sign-in still needs the code.
 */
import { KanadeError, type PasswordResetComplete, type PasswordResetRequest } from "@kanade/protocol";
import type { Logger } from "pino";
import { hashPassword } from "./accounts.js";
import { isSsoAccount, type AccountRecord, type AccountStore } from "./account-store.js";
import { linkTokenHash, newLinkToken, type LinkStore } from "./link-store.js";
import { mustHaveMailer, type Mailer } from "./mailer.js";
import { createWindowBudget, RateLimitedError, type BudgetOptions, type WindowBudget } from "./rate-limit.js";
import type { SessionTokens } from "./sessions.js";

export const PASSWORD_RESET_TTL_MS = 3_600_000;
/** Requests from one source address. */
export const RESET_IP_BUDGET: BudgetOptions = { max: 10, windowMs: 15 * 60_000 };
/** Mails to one account. */
export const RESET_ACCOUNT_BUDGET: BudgetOptions = { max: 3, windowMs: 60 * 60_000 };

export interface ResetThrottle {
  perIp: WindowBudget;
  perAccount: WindowBudget;
}

export const createResetThrottle = (): ResetThrottle => ({ perIp: createWindowBudget(RESET_IP_BUDGET), perAccount: createWindowBudget(RESET_ACCOUNT_BUDGET) });

export interface PasswordResetDeps {
  accounts: AccountStore;
  links: LinkStore;
  mailer: Mailer | undefined;
  tokens: SessionTokens;
  resetThrottle: ResetThrottle;
}

/**
 * Who the request is about: the account by name, or every enabled account with that address. A `username`
 * that names no account but looks like an address is tried as one (the web form has a single field).
 */
async function targets(accounts: AccountStore, body: PasswordResetRequest): Promise<AccountRecord[]> {
  const byName = body.username !== undefined ? await accounts.getAccount(body.username) : undefined;
  const address = body.email ?? (byName === undefined && body.username?.includes("@") ? body.username : undefined);
  const found = byName ? [byName] : address !== undefined ? await accounts.getAccountsByEmail(address) : [];
  // SSO accounts have no local password to reset: their people reset it at the identity provider.
  return found.filter((a): a is AccountRecord => a !== undefined && !a.disabled && !isSsoAccount(a) && a.email !== null && a.email !== undefined);
}

/** Answers which accounts were mailed (for the audit trail; never for the caller). */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  body: PasswordResetRequest,
  ip: string,
  now: Date,
  log: Logger,
): Promise<string[]> {
  const mailer = mustHaveMailer(deps.mailer);
  const t = now.getTime();
  const verdict = deps.resetThrottle.perIp.check(ip, t);
  if (!verdict.ok) throw new RateLimitedError(verdict.retryAfterMs, "Too many password-reset requests from this address");
  deps.resetThrottle.perIp.spend(ip, t);
  const mailed: string[] = [];
  for (const account of await targets(deps.accounts, body)) {
    if (!deps.resetThrottle.perAccount.check(account.account_id, t).ok) continue;
    deps.resetThrottle.perAccount.spend(account.account_id, t);
    const token = newLinkToken();
    const row = { token_hash: linkTokenHash(token), account_id: account.account_id, created_at: now.toISOString(), expires_at: new Date(t + PASSWORD_RESET_TTL_MS).toISOString() };
    deps.links.addReset(row);
    try {
      await mailer.send({
        to: account.email as string,
        subject: "Reset your kanade password",
        text: [
          `Someone asked to reset the password of the kanade account "${account.username}".`,
          "",
          `Choose a new password here (the link works once, within an hour):`,
          `${mailer.publicUrl}/reset-password/${token}`,
          "",
          "If it was not you, ignore this mail; your password stays as it is.",
        ].join("\n"),
      });
      mailed.push(account.username);
    } catch (err) {
      // Still 202, so the answer does not tell which accounts exist; the operator sees it in the log.
      deps.links.useReset(row.token_hash, now.toISOString());
      log.error({ err, username: account.username }, "password-reset mail could not be sent");
    }
  }
  return mailed;
}

export async function completePasswordReset(
  deps: PasswordResetDeps,
  body: PasswordResetComplete,
  now: Date,
): Promise<{ account: AccountRecord; sessionsEnded: number }> {
  const tokenHash = linkTokenHash(body.token);
  const row = deps.links.resetByToken(tokenHash);
  const gone = new KanadeError("LINK_GONE", "This password-reset link has expired or was already used; ask for a new one");
  const account = row ? await deps.accounts.getAccountById(row.account_id) : undefined;
  if (!row || !account || account.disabled) throw gone;
  const passwordHash = await hashPassword(body.new_password);
  if (!deps.links.useReset(tokenHash, now.toISOString())) throw gone;
  await deps.accounts.updateAccount(account.username, { password_hash: passwordHash, must_change_password: false }, now.toISOString());
  return { account, sessionsEnded: await deps.tokens.endAll(account.account_id) };
}
