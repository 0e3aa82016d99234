/** `/api/accounts`: admins list, create, change (role, disabled, password) and delete accounts. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { accountCreateSchema, accountPatchSchema, usernameSchema } from "@kanade/protocol";
import { publicAccount } from "../db/governance.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { changeAccount, createAccount, deleteAccount, mustGetAccount } from "../governance/account-admin.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { callerOf } from "./caller.js";

const params = z.object({ username: usernameSchema });

export function accountRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  app.get("/api/accounts", async () => ({ items: gov.store.listAccounts().map(publicAccount), next_cursor: null }));

  app.get("/api/accounts/:username", async (req) => publicAccount(mustGetAccount(gov.store, parseOr400(params, req.params, "username").username)));

  app.post("/api/accounts", async (req, reply) => {
    const body = parseOr400(accountCreateSchema, req.body ?? {}, "account");
    const entry = { action: "account.create", target: body.username, payload: { role: body.role } };
    const account = await deps.auditLog.around(callerOf(req), entry, () => createAccount(gov, body, deps.clock()));
    return reply.status(201).send(publicAccount(account));
  });

  app.patch("/api/accounts/:username", async (req) => {
    const { username } = parseOr400(params, req.params, "username");
    const body = parseOr400(accountPatchSchema, req.body ?? {}, "account change");
    const { password: _p, ...summary } = body;
    const payload = { ...summary, ...(body.password !== undefined ? { password_reset: true } : {}) };
    // Audited under the stored spelling of the name, whatever case the URL used.
    const target = mustGetAccount(gov.store, username).username;
    const { account } = await deps.auditLog.around(
      callerOf(req),
      { action: "account.update", target, payload },
      () => changeAccount(gov, req.actor, target, body, deps.clock()),
      (r) => ({ payload: { ...payload, sessions_ended: r.sessionsEnded } }),
    );
    return publicAccount(account);
  });

  app.delete("/api/accounts/:username", async (req) => {
    const { username } = parseOr400(params, req.params, "username");
    const target = mustGetAccount(gov.store, username).username;
    const { account } = await deps.auditLog.around(
      callerOf(req),
      { action: "account.delete", target },
      async () => deleteAccount(gov, req.actor, target),
      (r) => ({ payload: { sessions_ended: r.sessionsEnded } }),
    );
    return { username: account.username, deleted: true };
  });
}
