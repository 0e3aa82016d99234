/** `/api/accounts`: admins list, create, change (role, disabled, password) and delete accounts. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { accountCreateSchema, accountPatchSchema, usernameSchema } from "@kanade/protocol";
import { publicAccount } from "../db/governance.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { changeAccount, createAccount, deleteAccount, mustGetAccount } from "../governance/account-admin.js";
import type { GovernanceDeps } from "../governance/index.js";

const params = z.object({ username: usernameSchema });

export function accountRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  app.get("/api/accounts", async () => ({ items: gov.store.listAccounts().map(publicAccount), next_cursor: null }));

  app.get("/api/accounts/:username", async (req) => publicAccount(mustGetAccount(gov.store, parseOr400(params, req.params, "username").username)));

  app.post("/api/accounts", async (req, reply) => {
    const account = await createAccount(gov, parseOr400(accountCreateSchema, req.body ?? {}, "account"), deps.clock());
    await deps.audit(req, "account.create", account.username, { role: account.role });
    return reply.status(201).send(publicAccount(account));
  });

  app.patch("/api/accounts/:username", async (req) => {
    const { username } = parseOr400(params, req.params, "username");
    const body = parseOr400(accountPatchSchema, req.body ?? {}, "account change");
    const { account, sessionsEnded } = await changeAccount(gov, req.actor, username, body, deps.clock());
    const { password: _p, ...summary } = body;
    await deps.audit(req, "account.update", account.username, {
      ...summary,
      ...(body.password !== undefined ? { password_reset: true } : {}),
      sessions_ended: sessionsEnded,
    });
    return publicAccount(account);
  });

  app.delete("/api/accounts/:username", async (req) => {
    const { username } = parseOr400(params, req.params, "username");
    const { account, sessionsEnded } = deleteAccount(gov, req.actor, username);
    await deps.audit(req, "account.delete", account.username, { sessions_ended: sessionsEnded });
    return { username: account.username, deleted: true };
  });
}
