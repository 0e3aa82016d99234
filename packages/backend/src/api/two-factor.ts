/** Two-factor sign-in routes: the caller's own TOTP (`/api/account/totp*`), an admin's reset, the per-role policy. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import type { AccountRecord } from "../governance/account-store.js";
import { mustGetAccount } from "../governance/account-admin.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { codeCheckContext, loginSecondFactor, type SignInContext } from "../governance/login.js";
import { confirmTotp, disableOwnTotp, enrollTotp, getTotpPolicy, resetTotp, setTotpPolicy, totpStatus } from "../governance/two-factor.js";
import { serve, type RouteContext } from "./route.js";

export function twoFactorRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  const signIn = (ctx: RouteContext): SignInContext => ({ caller: ctx.caller, clock: deps.clock, audit: deps.auditLog });
  /** The caller's own account; the static token and anonymous callers have no second factor. */
  const own = async (req: FastifyRequest): Promise<AccountRecord> => {
    const who = req.identity;
    if (!who || who.kind !== "account") {
      throw new KanadeError("BAD_REQUEST", `"${who?.actor ?? "anonymous"}" is not an account; only accounts sign in with TOTP`);
    }
    return mustGetAccount(gov.accounts, who.actor);
  };

  serve(app, "loginSecondFactor", async ({ body }, ctx) => loginSecondFactor(gov, body, signIn(ctx)));
  serve(app, "getTotpStatus", async (_input, { req }) => totpStatus(gov.totp, await own(req)));

  serve(app, "enrollTotp", async (_input, { req, caller }) => {
    const account = await own(req);
    return deps.auditLog.around(caller, { action: "account.totp_enroll", target: account.username }, () => enrollTotp(gov, account, deps.clock()));
  });

  serve(app, "confirmTotp", async ({ body }, ctx) => {
    const account = await own(ctx.req);
    const entry = { action: "account.totp_enable", target: account.username };
    return deps.auditLog.around(ctx.caller, entry, () => confirmTotp(gov, account, body.code, codeCheckContext(signIn(ctx))));
  });

  serve(app, "disableTotp", async ({ body }, ctx) => {
    const account = await own(ctx.req);
    const entry = { action: "account.totp_disable", target: account.username, payload: { by: "own_code" } };
    await deps.auditLog.around(ctx.caller, entry, () => disableOwnTotp(gov, account, body.code, codeCheckContext(signIn(ctx))));
    return { username: account.username, enabled: false as const };
  });

  serve(app, "resetAccountTotp", async ({ params }, { caller }) => {
    const account = await mustGetAccount(gov.accounts, params.username);
    const entry = { action: "account.totp_disable", target: account.username, payload: { by: "admin" } };
    await deps.auditLog.around(caller, entry, () => resetTotp(gov, account));
    return { username: account.username, enabled: false as const };
  });

  serve(app, "getTotpPolicy", async () => getTotpPolicy(gov.totp));

  serve(app, "putTotpPolicy", async ({ body }, { caller }) => {
    const before = await getTotpPolicy(gov.totp);
    const entry = { action: "auth.totp_policy", target: "totp_required_roles", payload: { before: before.required_roles, after: body.required_roles } };
    return deps.auditLog.around(caller, entry, () => setTotpPolicy(gov.totp, body, caller.actor, deps.clock()));
  });
}
