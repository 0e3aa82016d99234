/** `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/password`, `POST /api/auth/logout`. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, type Identity } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { changeOwnPassword, login, logout, type SignInContext } from "../governance/login.js";
import { serve, type RouteContext } from "./route.js";

function mustIdentity(req: FastifyRequest): Identity {
  if (!req.identity) throw new KanadeError("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <token>)");
  return req.identity;
}

export function authRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  /** A sign-in request as plain values for governance/. */
  const signIn = (ctx: RouteContext): SignInContext => ({ caller: ctx.caller, clock: deps.clock, audit: deps.auditLog });

  serve(app, "login", async ({ body }, ctx) => login(gov, body, signIn(ctx)));
  serve(app, "getMe", async (_input, { req }) => ({ ...mustIdentity(req), ...(req.scope ? { scope: req.scope.view() } : {}) }));
  serve(app, "changePassword", async ({ body }, ctx) => changeOwnPassword(gov, mustIdentity(ctx.req), body, signIn(ctx)));
  serve(app, "logout", async (_input, ctx) => logout(gov, mustIdentity(ctx.req), ctx.req.authSession, signIn(ctx)));
}
