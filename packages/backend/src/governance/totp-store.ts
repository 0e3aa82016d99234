/** Tables of migration 012-totp-second-factor: TOTP secrets, recovery codes, sign-in challenges, sign-in settings. */
import type { SqlDatabase } from "../db/database.js";

export interface TotpRow {
  account_id: string;
  secret: string;
  confirmed_at: string | null;
  last_step: number;
  created_at: string;
}

export interface TotpStore {
  get(accountId: string): Promise<TotpRow | undefined>;
  /** Starts (or restarts) an unconfirmed enrolment; refused (false) when TOTP is already on. */
  begin(accountId: string, secret: string, now: string): Promise<boolean>;
  /**
   * Records that a code of `step` was accepted, only if no code of that step or later was: the one atomic
   * check that makes a replayed code fail even when two requests carry it at once.
   */
  useStep(accountId: string, step: number): Promise<boolean>;
  /** Confirms the enrolment and replaces the recovery codes, in one transaction. */
  confirm(accountId: string, now: string, recoveryHashes: readonly string[]): Promise<void>;
  /** Deletes TOTP and recovery codes; true when there was any. */
  remove(accountId: string): Promise<boolean>;
  /** Marks an unused recovery code used; false when it is unknown or already used. */
  useRecoveryCode(accountId: string, codeHash: string, now: string): Promise<boolean>;
  recoveryCodesLeft(accountId: string): Promise<number>;
  addChallenge(challengeHash: string, accountId: string, expiresAt: string, now: string): Promise<void>;
  /** The account of a live challenge, without using it up. */
  peekChallenge(challengeHash: string, now: string): Promise<string | undefined>;
  /** Ends a challenge; false when it was already gone (used by a concurrent request). */
  takeChallenge(challengeHash: string): Promise<boolean>;
  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string, by: string, now: string): Promise<void>;
}

export function openTotpStore(db: SqlDatabase): TotpStore {
  const st = {
    get: db.prepare(`SELECT * FROM account_totp WHERE account_id = ?`),
    begin: db.prepare(
      `INSERT INTO account_totp (account_id, secret, confirmed_at, last_step, created_at) VALUES (?, ?, NULL, -1, ?)
       ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = -1
       WHERE account_totp.confirmed_at IS NULL`,
    ),
    useStep: db.prepare(`UPDATE account_totp SET last_step = ? WHERE account_id = ? AND last_step < ?`),
    confirm: db.prepare(`UPDATE account_totp SET confirmed_at = ? WHERE account_id = ?`),
    dropCodes: db.prepare(`DELETE FROM account_recovery_codes WHERE account_id = ?`),
    addCode: db.prepare(`INSERT INTO account_recovery_codes (account_id, code_hash) VALUES (?, ?)`),
    remove: db.prepare(`DELETE FROM account_totp WHERE account_id = ?`),
    useCode: db.prepare(`UPDATE account_recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL`),
    codesLeft: db.prepare(`SELECT COUNT(*) FROM account_recovery_codes WHERE account_id = ? AND used_at IS NULL`).pluck(),
    pruneChallenges: db.prepare(`DELETE FROM login_challenges WHERE expires_at <= ?`),
    addChallenge: db.prepare(`INSERT INTO login_challenges (challenge_hash, account_id, expires_at) VALUES (?, ?, ?)`),
    peekChallenge: db.prepare(`SELECT account_id FROM login_challenges WHERE challenge_hash = ? AND expires_at > ?`).pluck(),
    takeChallenge: db.prepare(`DELETE FROM login_challenges WHERE challenge_hash = ?`),
    getSetting: db.prepare(`SELECT value FROM auth_settings WHERE key = ?`).pluck(),
    putSetting: db.prepare(
      `INSERT INTO auth_settings (key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    ),
  };
  const confirm = db.transaction((accountId: string, now: string, hashes: readonly string[]) => {
    st.confirm.run(now, accountId);
    st.dropCodes.run(accountId);
    for (const h of hashes) st.addCode.run(accountId, h);
  });
  const remove = db.transaction((accountId: string) => {
    st.dropCodes.run(accountId);
    return st.remove.run(accountId).changes === 1;
  });
  return {
    get: async (accountId) => st.get.get(accountId) as TotpRow | undefined,
    begin: async (accountId, secret, now) => st.begin.run(accountId, secret, now).changes === 1,
    useStep: async (accountId, step) => st.useStep.run(step, accountId, step).changes === 1,
    confirm: async (accountId, now, hashes) => void confirm(accountId, now, hashes),
    remove: async (accountId) => remove(accountId),
    useRecoveryCode: async (accountId, codeHash, now) => st.useCode.run(now, accountId, codeHash).changes === 1,
    recoveryCodesLeft: async (accountId) => st.codesLeft.get(accountId) as number,
    addChallenge: async (challengeHash, accountId, expiresAt, now) => {
      st.pruneChallenges.run(now);
      st.addChallenge.run(challengeHash, accountId, expiresAt);
    },
    peekChallenge: async (challengeHash, now) => st.peekChallenge.get(challengeHash, now) as string | undefined,
    takeChallenge: async (challengeHash) => st.takeChallenge.run(challengeHash).changes === 1,
    getSetting: async (key) => st.getSetting.get(key) as string | undefined,
    putSetting: async (key, value, by, now) => void st.putSetting.run(key, value, by, now),
  };
}
