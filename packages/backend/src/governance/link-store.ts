/** The `invitations` and `password_resets` tables (migration 012-invite-mail-links); tokens are kept only as SHA-256. */
import { createHash, randomBytes } from "node:crypto";
import type { Role } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

/** 32 random bytes, base64url: what the mailed link carries. */
export const newLinkToken = (): string => randomBytes(32).toString("base64url");
export const linkTokenHash = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

export interface InvitationRow {
  id: string;
  token_hash: string;
  email: string;
  role: Role;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  username: string | null;
  revoked_at: string | null;
}

export interface PasswordResetRow {
  token_hash: string;
  account_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface LinkStore {
  addInvitation(row: Omit<InvitationRow, "used_at" | "username" | "revoked_at">): void;
  removeInvitation(id: string): void;
  invitationByToken(tokenHash: string): InvitationRow | undefined;
  invitation(id: string): InvitationRow | undefined;
  listInvitations(): InvitationRow[];
  /** Marks it used by `username` if it is still pending at `now`; false when someone else got there first. */
  useInvitation(id: string, username: string, now: string): boolean;
  /** False when it is not pending (used or revoked already). */
  revokeInvitation(id: string, now: string): boolean;
  addReset(row: Omit<PasswordResetRow, "used_at">): void;
  resetByToken(tokenHash: string): PasswordResetRow | undefined;
  /** Marks it used if it is unused and unexpired at `now`. */
  useReset(tokenHash: string, now: string): boolean;
}

export function openLinkStore(db: SqlDatabase): LinkStore {
  const st = {
    addInvitation: db.prepare(
      `INSERT INTO invitations (id, token_hash, email, role, created_by, created_at, expires_at) VALUES (@id, @token_hash, @email, @role, @created_by, @created_at, @expires_at)`,
    ),
    removeInvitation: db.prepare(`DELETE FROM invitations WHERE id = ?`),
    byToken: db.prepare(`SELECT * FROM invitations WHERE token_hash = ?`),
    byId: db.prepare(`SELECT * FROM invitations WHERE id = ?`),
    list: db.prepare(`SELECT * FROM invitations ORDER BY created_at DESC, id DESC`),
    use: db.prepare(
      `UPDATE invitations SET used_at = @now, username = @username WHERE id = @id AND used_at IS NULL AND revoked_at IS NULL AND expires_at > @now`,
    ),
    revoke: db.prepare(`UPDATE invitations SET revoked_at = @now WHERE id = @id AND used_at IS NULL AND revoked_at IS NULL`),
    addReset: db.prepare(
      `INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES (@token_hash, @account_id, @created_at, @expires_at)`,
    ),
    resetByToken: db.prepare(`SELECT * FROM password_resets WHERE token_hash = ?`),
    useReset: db.prepare(`UPDATE password_resets SET used_at = @now WHERE token_hash = @token_hash AND used_at IS NULL AND expires_at > @now`),
  };
  return {
    addInvitation: (row) => void st.addInvitation.run(row),
    removeInvitation: (id) => void st.removeInvitation.run(id),
    invitationByToken: (h) => st.byToken.get(h) as InvitationRow | undefined,
    invitation: (id) => st.byId.get(id) as InvitationRow | undefined,
    listInvitations: () => st.list.all() as InvitationRow[],
    useInvitation: (id, username, now) => st.use.run({ id, username, now }).changes === 1,
    revokeInvitation: (id, now) => st.revoke.run({ id, now }).changes === 1,
    addReset: (row) => void st.addReset.run(row),
    resetByToken: (h) => st.resetByToken.get(h) as PasswordResetRow | undefined,
    useReset: (token_hash, now) => st.useReset.run({ token_hash, now }).changes === 1,
  };
}
