/** `POST /api/auth/login`, `GET /api/auth/me`, `POST /api/auth/password`, `POST /api/auth/logout`. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, loginRequestSchema, passwordChangeSchema, type Identity, type LoginResponse } from "@kanade/protocol";
import type { RouteDeps } from "../deps.js";
import { parseOr400 } from "../errors.js";
import type { GovernanceDeps } from "../governance/index.js";
import { changeOwnPassword, login, logout, type Caller } from "../governance/login.js";

function mustIdentity(req: FastifyRequest): Identity {
  if (!req.identity) throw new KanadeError("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <token>)");
  return req.identity;
}

/** The request as plain values for governance/: its address, the clock, and audit events as a given actor. */
function callerOf(req: FastifyRequest, deps: RouteDeps): Caller {
  return {
    ip: req.ip,
    clock: deps.clock,
    audit: (actor, action, target, payload) => {
      req.actor = actor;
      return deps.audit(req, action, target, payload);
    },
  };
}

export function authRoutes(app: FastifyInstance, deps: RouteDeps, gov: GovernanceDeps): void {
  app.post("/api/auth/login", async (req): Promise<LoginResponse> =>
    login(gov, parseOr400(loginRequestSchema, req.body ?? {}, "login"), callerOf(req, deps)),
  );

  app.get("/api/auth/me", async (req): Promise<Identity> => mustIdentity(req));

  app.post("/api/auth/password", async (req): Promise<LoginResponse> => {
    const who = mustIdentity(req);
    return changeOwnPassword(gov, who, parseOr400(passwordChangeSchema, req.body ?? {}, "password change"), callerOf(req, deps));
  });

  app.post("/api/auth/logout", async (req): Promise<{ ended: boolean }> =>
    logout(gov, mustIdentity(req), req.authSession, callerOf(req, deps).audit),
  );
}
