/** `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/password`, `POST /api/auth/logout`. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, loginRequestSchema, passwordChangeSchema, type Identity, type LoginResponse, type LogoutResponse } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import type { GovernanceDeps } from "../governance/deps.js";
import { changeOwnPassword, login, logout, type SignInContext } from "../governance/login.js";
import { callerOf } from "./caller.js";

function mustIdentity(req: FastifyRequest): Identity {
  if (!req.identity) throw new KanadeError("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <token>)");
  return req.identity;
}

/** A sign-in request as plain values for governance/. */
const contextOf = (req: FastifyRequest, deps: RouteDeps): SignInContext => ({ caller: callerOf(req), clock: deps.clock, audit: deps.auditLog });

export function authRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  app.post("/api/auth/login", async (req): Promise<LoginResponse> =>
    login(gov, parseOr400(loginRequestSchema, req.body ?? {}, "login"), contextOf(req, deps)),
  );

  app.get("/api/auth/me", async (req): Promise<Identity> => mustIdentity(req));

  app.post("/api/auth/password", async (req): Promise<LoginResponse> => {
    const who = mustIdentity(req);
    return changeOwnPassword(gov, who, parseOr400(passwordChangeSchema, req.body ?? {}, "password change"), contextOf(req, deps));
  });

  app.post("/api/auth/logout", async (req): Promise<LogoutResponse> =>
    logout(gov, mustIdentity(req), req.authSession, contextOf(req, deps)),
  );
}
