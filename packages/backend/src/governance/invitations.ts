/**
 * Invitations by e-mail: an admin invites an address with a role; the mailed link (a random token, kept
 * only hashed) shows what it offers and, once, makes the account. A mail that cannot be sent leaves no
 * invitation behind.
 */
import { randomUUID } from "node:crypto";
import {
  KanadeError,
  parseDurationMs,
  type InvitationAccept,
  type InvitationCreate,
  type InvitationPublic,
  type InvitationView,
  type Role,
} from "@kanade/protocol";
import { hashPassword, refuseReservedUsername } from "./accounts.js";
import type { AccountStore } from "./account-store.js";
import { linkTokenHash, newLinkToken, type InvitationRow, type LinkStore } from "./link-store.js";
import { mustHaveMailer, type Mailer } from "./mailer.js";

export const DEFAULT_INVITATION_TTL_MS = 72 * 3_600_000;
export const MAX_INVITATION_TTL_MS = 30 * 24 * 3_600_000;

export interface InvitationDeps {
  accounts: AccountStore;
  links: LinkStore;
  mailer: Mailer | undefined;
}

export const invitationState = (row: InvitationRow, now: Date): InvitationView["state"] =>
  row.used_at ? "used" : row.revoked_at ? "revoked" : row.expires_at <= now.toISOString() ? "expired" : "pending";

export const invitationView = (row: InvitationRow, now: Date): InvitationView => {
  const { token_hash: _h, ...rest } = row;
  return { ...rest, state: invitationState(row, now) };
};

const gone = (): KanadeError => new KanadeError("LINK_GONE", "This invitation link has expired, was already used or was revoked; ask an admin for a new one");

function ttlOf(body: InvitationCreate): number {
  if (body.expires === undefined) return DEFAULT_INVITATION_TTL_MS;
  const ms = parseDurationMs(body.expires) ?? 0;
  if (ms <= 0 || ms > MAX_INVITATION_TTL_MS) {
    const message = `expires: from 1s to 30d, got "${body.expires}"`;
    throw new KanadeError("BAD_REQUEST", message, { details: [{ path: "expires", message }] });
  }
  return ms;
}

export async function createInvitation(deps: InvitationDeps, body: InvitationCreate, actor: string, now: Date): Promise<InvitationView> {
  const mailer = mustHaveMailer(deps.mailer);
  const token = newLinkToken();
  const row = {
    id: randomUUID(),
    token_hash: linkTokenHash(token),
    email: body.email,
    role: body.role,
    created_by: actor,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ttlOf(body)).toISOString(),
  };
  deps.links.addInvitation(row);
  const link = `${mailer.publicUrl}/invite/${token}`;
  try {
    await mailer.send({
      to: body.email,
      subject: "You are invited to kanade",
      text: [
        `${actor} invited you to kanade as ${body.role}.`,
        "",
        `Choose a username and password here (the link works once, until ${row.expires_at}):`,
        link,
        "",
        "If you did not expect this, ignore this mail.",
      ].join("\n"),
    });
  } catch (err) {
    // Nothing half-made: the link was never delivered, so the invitation goes.
    deps.links.removeInvitation(row.id);
    throw err;
  }
  return invitationView({ ...row, used_at: null, username: null, revoked_at: null }, now);
}

/** A pending invitation by its token; 410 LINK_GONE for an unknown, used, revoked or expired one. */
export function pendingInvitation(links: LinkStore, token: string, now: Date): InvitationRow {
  const row = links.invitationByToken(linkTokenHash(token));
  if (!row || invitationState(row, now) !== "pending") throw gone();
  return row;
}

export const publicInvitation = (row: InvitationRow): InvitationPublic => ({ email: row.email, role: row.role, expires_at: row.expires_at });

export async function acceptInvitation(
  deps: InvitationDeps,
  token: string,
  body: InvitationAccept,
  now: Date,
): Promise<{ invitation: InvitationRow; username: string; role: Role; email: string }> {
  const invitation = pendingInvitation(deps.links, token, now);
  refuseReservedUsername(body.username);
  if (await deps.accounts.getAccount(body.username)) throw new KanadeError("CONFLICT", `Account "${body.username}" already exists; choose another username`, { details: [{ path: "username", message: "taken" }] });
  const created = await deps.accounts.createAccount(
    { username: body.username, password_hash: await hashPassword(body.password), role: invitation.role, must_change_password: false, email: invitation.email },
    now.toISOString(),
  );
  if (!created) throw new KanadeError("CONFLICT", `Account "${body.username}" already exists; choose another username`, { details: [{ path: "username", message: "taken" }] });
  // Single use: whoever marks it first keeps the account; a parallel accept loses its account again.
  if (!deps.links.useInvitation(invitation.id, body.username, now.toISOString())) {
    await deps.accounts.deleteAccount(body.username);
    throw gone();
  }
  return { invitation, username: body.username, role: invitation.role, email: invitation.email };
}

export function revokeInvitation(links: LinkStore, id: string, now: Date): InvitationRow {
  const row = links.invitation(id);
  if (!row) throw new KanadeError("NOT_FOUND", `No invitation "${id}"`);
  if (!links.revokeInvitation(id, now.toISOString())) throw new KanadeError("CONFLICT", `Invitation "${id}" is ${invitationState(row, now)}, not pending; only a pending invitation can be revoked`);
  return row;
}
