/**
 * What admins do to accounts: create, change (role, disabled, password) and delete. A change that
 * alters what an account may do ends all its sessions, so no token outlives the decision.
 */
import { KanadeError, type AccountCreate, type AccountPatch } from "@kanade/protocol";
import { isSsoAccount, type AccountChange, type AccountRecord, type AccountStore } from "./account-store.js";
import { hashPassword, refuseReservedUsername } from "./accounts.js";
import type { SessionTokens } from "./sessions.js";
import type { TotpStore } from "./totp-store.js";

export interface AccountAdminDeps {
  accounts: AccountStore;
  tokens: SessionTokens;
  /** A deleted account's TOTP secret and recovery codes go with it. */
  totp: Pick<TotpStore, "remove">;
}

/** The account by name, in any case; 404 when there is none. */
export async function mustGetAccount(accounts: AccountStore, username: string): Promise<AccountRecord> {
  const a = await accounts.getAccount(username);
  if (!a) throw new KanadeError("ACCOUNT_NOT_FOUND", `No account "${username}"`);
  return a;
}

export async function createAccount(deps: AccountAdminDeps, body: AccountCreate, now: Date): Promise<AccountRecord> {
  refuseReservedUsername(body.username);
  const taken = await deps.accounts.getAccount(body.username);
  if (taken) throw conflict(body.username, taken.username);
  const created = await deps.accounts.createAccount(
    { username: body.username, password_hash: await hashPassword(body.password), role: body.role, must_change_password: false, email: body.email ?? null },
    now.toISOString(),
  );
  // Someone may have taken the name while the password was hashed.
  if (!created) throw conflict(body.username, (await deps.accounts.getAccount(body.username))?.username ?? body.username);
  return mustGetAccount(deps.accounts, body.username);
}

function conflict(asked: string, existing: string): KanadeError {
  const same = asked === existing ? "" : ` (as "${existing}"; names are the same whatever their case)`;
  return new KanadeError("CONFLICT", `Account "${asked}" already exists${same}`);
}

/** Applies an admin's change; returns the account as it is now and how many of its sessions were ended. */
export async function changeAccount(
  deps: AccountAdminDeps,
  actor: string,
  username: string,
  body: AccountPatch,
  now: Date,
): Promise<{ account: AccountRecord; sessionsEnded: number }> {
  const before = await mustGetAccount(deps.accounts, username);
  if (body.password !== undefined && isSsoAccount(before)) {
    const message = `"${before.username}" signs in with single sign-on and has no local password; change it at the identity provider`;
    throw new KanadeError("BAD_REQUEST", message, { details: [{ path: "password", message }] });
  }
  if (before.username === actor && (body.disabled === true || (body.role !== undefined && body.role !== "admin"))) {
    throw new KanadeError("CONFLICT", "You cannot disable or demote your own account; ask another admin");
  }
  const change: AccountChange = {
    ...(body.role !== undefined ? { role: body.role } : {}),
    ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
    ...(body.must_change_password !== undefined ? { must_change_password: body.must_change_password } : {}),
    ...(body.email !== undefined ? { email: body.email } : {}),
    // An admin-set password is temporary unless the admin says otherwise.
    ...(body.password !== undefined
      ? { password_hash: await hashPassword(body.password), must_change_password: body.must_change_password ?? true }
      : {}),
  };
  await deps.accounts.updateAccount(before.username, change, now.toISOString());
  const endsSessions =
    (body.role !== undefined && body.role !== before.role) ||
    (body.disabled !== undefined && body.disabled !== before.disabled) ||
    body.password !== undefined;
  const sessionsEnded = endsSessions ? await deps.tokens.endAll(before.account_id) : 0;
  return { account: await mustGetAccount(deps.accounts, before.username), sessionsEnded };
}

/** Deletes the account and ends its sessions; returns what was deleted. */
export async function deleteAccount(deps: AccountAdminDeps, actor: string, username: string): Promise<{ account: AccountRecord; sessionsEnded: number }> {
  const account = await mustGetAccount(deps.accounts, username);
  if (account.username === actor) throw new KanadeError("CONFLICT", "You cannot delete your own account; ask another admin");
  if (!(await deps.accounts.deleteAccount(account.username))) throw new KanadeError("ACCOUNT_NOT_FOUND", `No account "${username}"`);
  await deps.totp.remove(account.account_id);
  return { account, sessionsEnded: await deps.tokens.endAll(account.account_id) };
}
