/**
 * Two-factor sign-in with TOTP: enrolment (secret, QR, confirm with a first code, recovery codes), turning
 * it off, the sign-in challenge that a code or a recovery code completes, and the per-role requirement.
 * Every code check reserves its attempt in the login throttle first, exactly like a password check.
 */
import { createHash, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import {
  KanadeError,
  ROLES,
  type Role,
  type SecondFactorRequest,
  type SecondFactorRequired,
  type TotpConfirmed,
  type TotpEnrollment,
  type TotpPolicy,
  type TotpStatus,
} from "@kanade/protocol";
import { isSsoAccount, type AccountRecord, type AccountStore } from "./account-store.js";
import { RateLimitedError, type LoginThrottle } from "./rate-limit.js";
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from "./totp.js";
import type { TotpStore } from "./totp-store.js";

export const RECOVERY_CODE_COUNT = 10;
/** How long a password step waits for its second factor. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
const POLICY_KEY = "totp_required_roles";

export interface TwoFactorDeps {
  accounts: AccountStore;
  totp: TotpStore;
  loginThrottle: LoginThrottle;
  /** Shown by authenticator apps beside the account name. */
  totpIssuer: string;
}

/** Who checks a code, from where, at what time. */
export interface CodeCheckContext {
  sourceIp: string;
  clock: () => Date;
  /** Called for each wrong code (to audit it); not for refusals by the throttle. */
  onWrong: (account: AccountRecord, reason: "bad_code" | "bad_recovery_code") => Promise<void>;
}

const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

/** The stored form of a recovery code: normalized (no dash, lower case) then hashed. */
export const recoveryCodeHash = (code: string): string => sha256(code.replace(/[\s-]+/g, "").toLowerCase());

/** Ten random base32 characters shown as `xxxxx-xxxxx` (50 bits each). */
function newRecoveryCode(): string {
  const c = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
  return `${c.slice(0, 5)}-${c.slice(5)}`;
}

export async function getTotpPolicy(store: TotpStore): Promise<TotpPolicy> {
  const raw = await store.getSetting(POLICY_KEY);
  const roles = raw === undefined ? [] : (JSON.parse(raw) as unknown[]);
  return { required_roles: ROLES.filter((r) => roles.includes(r)) };
}

export async function setTotpPolicy(store: TotpStore, policy: TotpPolicy, by: string, now: Date): Promise<TotpPolicy> {
  const roles = ROLES.filter((r) => policy.required_roles.includes(r));
  await store.putSetting(POLICY_KEY, JSON.stringify(roles), by, now.toISOString());
  return { required_roles: roles };
}

const isEnabled = (row: { confirmed_at: string | null } | undefined): boolean => row?.confirmed_at != null;

/** True when the account's role requires TOTP and it has not enrolled: it may reach only the enrolment routes. */
export async function needsTotpEnrollment(store: TotpStore, account: AccountRecord): Promise<boolean> {
  // Single sign-on accounts never sign in with a kanade password, so a kanade code would never be asked:
  // their second factor is the identity provider's.
  if (isSsoAccount(account)) return false;
  const { required_roles } = await getTotpPolicy(store);
  return required_roles.includes(account.role as Role) && !isEnabled(await store.get(account.account_id));
}

export async function totpStatus(store: TotpStore, account: AccountRecord): Promise<TotpStatus> {
  const row = await store.get(account.account_id);
  const enabled = isEnabled(row);
  const { required_roles } = await getTotpPolicy(store);
  return {
    enabled,
    required: !isSsoAccount(account) && required_roles.includes(account.role as Role),
    recovery_codes_left: enabled ? await store.recoveryCodesLeft(account.account_id) : 0,
  };
}

/** A new secret for an account without TOTP on; it takes effect only when confirmed. */
export async function enrollTotp(deps: TwoFactorDeps, account: AccountRecord, now: Date): Promise<TotpEnrollment> {
  if (isSsoAccount(account)) {
    throw new KanadeError("CONFLICT", `"${account.username}" signs in with single sign-on: two-factor sign-in is set up at the identity provider, not in kanade`);
  }
  const secret = newTotpSecret();
  if (!(await deps.totp.begin(account.account_id, secret, now.toISOString()))) {
    throw new KanadeError("CONFLICT", `TOTP is already on for "${account.username}"; turn it off first (DELETE /api/account/totp with a current code)`);
  }
  const uri = otpauthUri(deps.totpIssuer, account.username, secret);
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { secret, otpauth_uri: uri, qr_data_url: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

/**
 * Checks a TOTP code for `account` through the login throttle. A good code's time step is used up
 * atomically, so the same code sent twice (even at once) passes only once. Throws 429 or `wrong`.
 */
async function checkCode(deps: TwoFactorDeps, account: AccountRecord, code: string, ctx: CodeCheckContext, wrong: () => KanadeError): Promise<void> {
  const attempt = deps.loginThrottle.reserve(account.username, ctx.sourceIp, ctx.clock().getTime());
  if (!attempt.ok) throw new RateLimitedError(attempt.retryAfterMs, "Too many wrong codes for this account from this address");
  const row = await deps.totp.get(account.account_id);
  const step = row ? matchTotp(row.secret, code, ctx.clock(), row.last_step) : undefined;
  if (step === undefined || !(await deps.totp.useStep(account.account_id, step))) {
    attempt.ticket.failed(ctx.clock().getTime());
    await ctx.onWrong(account, "bad_code");
    throw wrong();
  }
  attempt.ticket.succeeded();
}

const wrongCode = (): KanadeError =>
  new KanadeError("FORBIDDEN", "code is wrong, expired or already used", { details: [{ path: "code", message: "wrong, expired or already used" }] });

/** Turns TOTP on with a first code from the app; answers the recovery codes, which are never shown again. */
export async function confirmTotp(deps: TwoFactorDeps, account: AccountRecord, code: string, ctx: CodeCheckContext): Promise<TotpConfirmed> {
  const row = await deps.totp.get(account.account_id);
  if (!row) throw new KanadeError("CONFLICT", "No TOTP enrolment to confirm; start one with POST /api/account/totp/enroll");
  if (isEnabled(row)) throw new KanadeError("CONFLICT", `TOTP is already on for "${account.username}"`);
  await checkCode(deps, account, code, ctx, wrongCode);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await deps.totp.confirm(account.account_id, ctx.clock().toISOString(), codes.map(recoveryCodeHash));
  return { enabled: true, recovery_codes: codes };
}

/** The caller turns its own TOTP off, proving it with a current code. */
export async function disableOwnTotp(deps: TwoFactorDeps, account: AccountRecord, code: string, ctx: CodeCheckContext): Promise<void> {
  if (!isEnabled(await deps.totp.get(account.account_id))) throw new KanadeError("CONFLICT", `TOTP is not on for "${account.username}"`);
  await checkCode(deps, account, code, ctx, wrongCode);
  await deps.totp.remove(account.account_id);
}

/** An admin turns an account's TOTP off (lost phone, no recovery codes); 409 when it was not on. */
export async function resetTotp(deps: Pick<TwoFactorDeps, "totp">, account: AccountRecord): Promise<void> {
  if (!(await deps.totp.remove(account.account_id))) throw new KanadeError("CONFLICT", `TOTP is not on for "${account.username}"`);
}

/** After a right password: true when the account must also give a code. */
export async function hasTotp(store: TotpStore, account: AccountRecord): Promise<boolean> {
  return isEnabled(await store.get(account.account_id));
}

/** Starts the second step of a sign-in: a random challenge, stored hashed, good for a few minutes. */
export async function issueChallenge(store: TotpStore, account: AccountRecord, now: Date): Promise<SecondFactorRequired> {
  const challenge = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString();
  await store.addChallenge(sha256(challenge), account.account_id, expiresAt, now.toISOString());
  return { second_factor_required: true, challenge, expires_at: expiresAt, username: account.username };
}

const challengeGone = (): KanadeError =>
  new KanadeError("UNAUTHORIZED", "The sign-in challenge is unknown or expired; sign in with the password again");

/**
 * Completes a challenge with a TOTP code or a recovery code; answers the account to open a session for
 * and which factor was used. Wrong codes count in the login throttle for (username, address).
 */
export async function completeChallenge(
  deps: TwoFactorDeps,
  body: SecondFactorRequest,
  ctx: CodeCheckContext,
): Promise<{ account: AccountRecord; factor: "totp" | "recovery_code" }> {
  const hash = sha256(body.challenge);
  const accountId = await deps.totp.peekChallenge(hash, ctx.clock().toISOString());
  const account = accountId ? await deps.accounts.getAccountById(accountId) : undefined;
  if (!account || account.disabled) throw challengeGone();
  const wrong = (): KanadeError => new KanadeError("UNAUTHORIZED", "Wrong, expired or already used code");
  if (body.code !== undefined) {
    await checkCode(deps, account, body.code, ctx, wrong);
  } else {
    const attempt = deps.loginThrottle.reserve(account.username, ctx.sourceIp, ctx.clock().getTime());
    if (!attempt.ok) throw new RateLimitedError(attempt.retryAfterMs, "Too many wrong codes for this account from this address");
    if (!(await deps.totp.useRecoveryCode(account.account_id, recoveryCodeHash(body.recovery_code ?? ""), ctx.clock().toISOString()))) {
      attempt.ticket.failed(ctx.clock().getTime());
      await ctx.onWrong(account, "bad_recovery_code");
      throw wrong();
    }
    attempt.ticket.succeeded();
  }
  if (!(await deps.totp.takeChallenge(hash))) throw challengeGone();
  return { account, factor: body.code !== undefined ? "totp" : "recovery_code" };
}
