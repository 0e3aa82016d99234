/** `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/password`. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, loginRequestSchema, passwordChangeSchema, type Identity, type LoginResponse, type Role } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import { hashPassword, passwordMatches } from "../governance/accounts.js";
import type { GovernanceDeps } from "../governance/deps.js";

function mustIdentity(req: FastifyRequest): Identity {
  if (!req.identity) throw new KanadeError("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <token>)");
  return req.identity;
}

export function authRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  app.post("/api/auth/login", async (req): Promise<LoginResponse> => {
    const body = parseOr400(loginRequestSchema, req.body ?? {}, "login");
    const now = deps.clock();
    const userKey = body.username.toLowerCase();
    const ipKey = req.ip;
    const wait = Math.max(gov.loginLimits.user.retryAfterMs(userKey, now.getTime()), gov.loginLimits.ip.retryAfterMs(ipKey, now.getTime()));
    if (wait > 0) {
      req.actor = body.username;
      await deps.audit(req, "auth.login_throttled", body.username, {});
      throw new KanadeError("RATE_LIMITED", `Too many failed logins; try again in ${Math.ceil(wait / 1000)}s`);
    }
    const account = gov.store.getAccount(body.username);
    const ok = account ? await passwordMatches(account.password_hash, body.password) : await passwordMatches(await gov.dummyHash(), body.password);
    req.actor = body.username;
    if (!account || !ok || account.disabled) {
      gov.loginLimits.user.fail(userKey, now.getTime());
      gov.loginLimits.ip.fail(ipKey, now.getTime());
      const reason = !account ? "unknown_user" : !ok ? "bad_password" : "disabled";
      req.log.info({ username: body.username, reason }, "login failed");
      await deps.audit(req, "auth.login_failed", body.username, { reason });
      // One message for every reason, so the answer does not reveal which usernames exist.
      throw new KanadeError("UNAUTHORIZED", "Wrong username or password, or the account is disabled");
    }
    gov.loginLimits.user.reset(userKey);
    gov.store.touchLogin(account.username, now.toISOString());
    const session = await gov.tokens.sign(account.username, now);
    await deps.audit(req, "auth.login", account.username, { role: account.role });
    return { ...session, username: account.username, role: account.role as Role, must_change_password: account.must_change_password };
  });

  app.get("/api/auth/me", async (req): Promise<Identity> => mustIdentity(req));

  app.post("/api/auth/password", async (req): Promise<LoginResponse> => {
    const who = mustIdentity(req);
    if (who.kind !== "account") throw new KanadeError("BAD_REQUEST", `"${who.actor}" is not an account; only accounts have passwords`);
    const body = parseOr400(passwordChangeSchema, req.body ?? {}, "password change");
    const account = gov.store.getAccount(who.actor);
    if (!account || !(await passwordMatches(account.password_hash, body.current_password))) {
      await deps.audit(req, "auth.password_change_failed", who.actor, {});
      throw new KanadeError("FORBIDDEN", "current_password is wrong");
    }
    if (body.new_password === body.current_password) {
      throw new KanadeError("BAD_REQUEST", "new_password must differ from current_password", {
        details: [{ path: "new_password", message: "must differ from the current password" }],
      });
    }
    const now = deps.clock();
    gov.store.updateAccount(who.actor, { password_hash: await hashPassword(body.new_password), must_change_password: false }, now.toISOString());
    await deps.audit(req, "auth.password_change", who.actor, {});
    const session = await gov.tokens.sign(who.actor, now);
    return { ...session, username: who.actor, role: who.role, must_change_password: false };
  });
}
