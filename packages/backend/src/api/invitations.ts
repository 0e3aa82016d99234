/** Invitations (`/api/accounts/invitations`, `/api/invitations/{token}`) and password-reset links (`/api/auth/password-reset*`). */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../deps.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { acceptInvitation, createInvitation, invitationView, pendingInvitation, publicInvitation, revokeInvitation } from "../governance/invitations.js";
import { completePasswordReset, requestPasswordReset } from "../governance/password-reset.js";
import { serve } from "./route.js";

export function invitationRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  serve(app, "createInvitation", async ({ body }, { caller }) => {
    const entry = { action: "account.invite", target: body.email, payload: { role: body.role } };
    return deps.auditLog.around(caller, entry, () => createInvitation(gov, body, caller.actor, deps.clock()), (v) => ({ payload: { role: v.role, invitation_id: v.id, expires_at: v.expires_at } }));
  });

  serve(app, "listInvitations", async () => {
    const now = deps.clock();
    return { items: gov.links.listInvitations().map((r) => invitationView(r, now)), next_cursor: null };
  });

  serve(app, "revokeInvitation", async ({ params }, { caller }) => {
    const entry = { action: "account.invitation_revoke", target: params.id };
    const row = await deps.auditLog.around(caller, entry, async () => revokeInvitation(gov.links, params.id, deps.clock()), (r) => ({ payload: { email: r.email, role: r.role } }));
    return { id: row.id, revoked: true as const };
  });

  serve(app, "getInvitation", async ({ params }) => publicInvitation(pendingInvitation(gov.links, params.token, deps.clock())));

  serve(app, "acceptInvitation", async ({ params, body }, { caller }) => {
    const made = await acceptInvitation(gov, params.token, body, deps.clock());
    const payload = { role: made.role, email: made.email, invitation_id: made.invitation.id, invited_by: made.invitation.created_by };
    await deps.auditLog.record({ ...caller, actor: made.username }, { action: "account.invitation_accept", target: made.username, payload });
    return { username: made.username, role: made.role, email: made.email };
  });

  serve(app, "requestPasswordReset", async ({ body }, { caller }) => {
    const mailed = await requestPasswordReset(gov, body, caller.sourceIp ?? "unknown", deps.clock(), deps.log);
    const asked = body.username ?? body.email ?? "";
    await deps.auditLog.record({ ...caller, actor: asked }, { action: "auth.password_reset_request", target: asked, payload: { mailed } });
    return { accepted: true as const };
  });

  serve(app, "completePasswordReset", async ({ body }, { caller }) => {
    const { account, sessionsEnded } = await completePasswordReset(gov, body, deps.clock());
    await deps.auditLog.record({ ...caller, actor: account.username }, { action: "auth.password_reset", target: account.username, payload: { sessions_ended: sessionsEnded } });
    return { username: account.username, sessions_ended: sessionsEnded };
  });
}
