/** `/api/accounts`: admins list, create, change (role, disabled, password) and delete accounts. */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { KanadeError, accountCreateSchema, accountPatchSchema, usernameSchema, type AccountSummary } from "@kanade/protocol";
import { publicAccount, type AccountChange } from "../db/governance.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { hashPassword } from "../governance/accounts.js";
import type { GovernanceDeps } from "../governance/deps.js";

const params = z.object({ username: usernameSchema });

export function accountRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  const mustGet = (username: string): AccountSummary => {
    const a = gov.store.getAccount(username);
    if (!a) throw new KanadeError("ACCOUNT_NOT_FOUND", `No account "${username}"`);
    return publicAccount(a);
  };

  app.get("/api/accounts", async () => ({ items: gov.store.listAccounts().map(publicAccount), next_cursor: null }));

  app.get("/api/accounts/:username", async (req) => mustGet(parseOr400(params, req.params, "username").username));

  app.post("/api/accounts", async (req, reply) => {
    const body = parseOr400(accountCreateSchema, req.body ?? {}, "account");
    const created = gov.store.createAccount(
      { username: body.username, password_hash: await hashPassword(body.password), role: body.role, must_change_password: false },
      deps.clock().toISOString(),
    );
    if (!created) throw new KanadeError("CONFLICT", `Account "${body.username}" already exists`);
    await deps.audit(req, "account.create", body.username, { role: body.role });
    return reply.status(201).send(mustGet(body.username));
  });

  app.patch("/api/accounts/:username", async (req) => {
    const { username } = parseOr400(params, req.params, "username");
    const body = parseOr400(accountPatchSchema, req.body ?? {}, "account change");
    mustGet(username);
    if (username === req.actor && (body.disabled === true || (body.role !== undefined && body.role !== "admin"))) {
      throw new KanadeError("CONFLICT", "You cannot disable or demote your own account; ask another admin");
    }
    const change: AccountChange = {
      ...(body.role !== undefined ? { role: body.role } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
      ...(body.must_change_password !== undefined ? { must_change_password: body.must_change_password } : {}),
      // An admin-set password is temporary unless the admin says otherwise.
      ...(body.password !== undefined
        ? { password_hash: await hashPassword(body.password), must_change_password: body.must_change_password ?? true }
        : {}),
    };
    gov.store.updateAccount(username, change, deps.clock().toISOString());
    const { password: _p, ...summary } = body;
    await deps.audit(req, "account.update", username, { ...summary, ...(body.password !== undefined ? { password_reset: true } : {}) });
    return mustGet(username);
  });

  app.delete("/api/accounts/:username", async (req) => {
    const { username } = parseOr400(params, req.params, "username");
    if (username === req.actor) throw new KanadeError("CONFLICT", "You cannot delete your own account; ask another admin");
    if (!gov.store.deleteAccount(username)) throw new KanadeError("ACCOUNT_NOT_FOUND", `No account "${username}"`);
    await deps.audit(req, "account.delete", username);
    return { username, deleted: true };
  });
}
