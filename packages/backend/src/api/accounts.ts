/** `/api/accounts`: admins list, create, change (role, disabled, password) and delete accounts. */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../deps.js";
import { publicAccount } from "../governance/account-store.js";
import { changeAccount, createAccount, deleteAccount, mustGetAccount } from "../governance/account-admin.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { serve } from "./route.js";

export function accountRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  serve(app, "listAccounts", async () => ({ items: (await gov.accounts.listAccounts()).map(publicAccount), next_cursor: null }));

  serve(app, "getAccount", async ({ params }) => publicAccount(await mustGetAccount(gov.accounts, params.username)));

  serve(app, "createAccount", async ({ body }, { caller }) => {
    const entry = { action: "account.create", target: body.username, payload: { role: body.role } };
    return publicAccount(await deps.auditLog.around(caller, entry, () => createAccount(gov, body, deps.clock())));
  });

  serve(app, "updateAccount", async ({ params, body }, { caller }) => {
    const { password: _p, ...summary } = body;
    const payload = { ...summary, ...(body.password !== undefined ? { password_reset: true } : {}) };
    // Audited under the stored spelling of the name, whatever case the URL used.
    const target = (await mustGetAccount(gov.accounts, params.username)).username;
    const { account } = await deps.auditLog.around(
      caller,
      { action: "account.update", target, payload },
      () => changeAccount(gov, caller.actor, target, body, deps.clock()),
      (r) => ({ payload: { ...payload, sessions_ended: r.sessionsEnded } }),
    );
    return publicAccount(account);
  });

  serve(app, "deleteAccount", async ({ params }, { caller }) => {
    const target = (await mustGetAccount(gov.accounts, params.username)).username;
    const { account } = await deps.auditLog.around(
      caller,
      { action: "account.delete", target },
      () => deleteAccount(gov, caller.actor, target),
      (r) => ({ payload: { sessions_ended: r.sessionsEnded } }),
    );
    // Its permission-group rows go with it (they are keyed by an id no new account reuses; this keeps the table tidy).
    deps.permGroups?.forgetAccount(account.account_id);
    return { username: account.username, deleted: true as const };
  });
}
