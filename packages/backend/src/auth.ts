/**
 * Authentication and authorization for `/api/*` and `/metrics` (SPEC §7). An identity is the static service
 * token (admin-equivalent actor `static-token`) or an account's session token; the route policy
 * (governance/policy.ts) decides which role a route needs.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, WS_BEARER_PROTOCOL_PREFIX, roleAtLeast, type Identity, type Role } from "@kanade/protocol";
import { accessFor, allowedWhilePasswordChangeRequired, trackRoutes } from "./governance/policy.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is acting, for audit and `issued_by`: a username, "static-token", or "anonymous" when auth is disabled. */
    actor: string;
    /** The caller's identity once authenticated; undefined on public routes. */
    identity: Identity | undefined;
  }
}

export interface AuthConfig {
  authDisabled: boolean;
  staticToken?: string;
}

/** Resolves an account session token to a live identity (role and flags read fresh, so changes apply at once). */
export type SessionResolver = (token: string) => Promise<Identity | undefined>;

// Hash both sides first so the comparison takes the same time whatever the lengths are.
const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

const STATIC: Identity = { actor: "static-token", role: "admin", kind: "static-token", must_change_password: false };
const ANONYMOUS: Identity = { actor: "anonymous", role: "admin", kind: "anonymous", must_change_password: false };

/** The route pattern when one matched; for unknown URLs, the path (so /api 404s still need a token). */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? req.url.split("?")[0] ?? "";
}

async function identify(req: FastifyRequest, config: AuthConfig, sessions: SessionResolver | undefined): Promise<Identity> {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  const presented = (m?.[1] ?? wsBearerToken(req))?.trim();
  if (presented) {
    if (config.staticToken && tokenMatches(presented, config.staticToken)) return STATIC;
    const session = sessions ? await sessions(presented) : undefined;
    if (session) return session;
  }
  throw new KanadeError(
    "UNAUTHORIZED",
    presented
      ? "Invalid or expired bearer token; log in again (kanade login) or check KANADE_AUTH_TOKEN"
      : "Missing bearer token (Authorization: Bearer <token>)",
  );
}

export function registerAuth(app: FastifyInstance, config: AuthConfig, sessions?: SessionResolver): void {
  app.decorateRequest("actor", "anonymous");
  app.decorateRequest("identity", undefined);
  trackRoutes(app);
  app.addHook("onRequest", async (req) => {
    const route = routeOf(req);
    const access = accessFor(req.method, route);
    if (config.authDisabled) {
      req.actor = ANONYMOUS.actor;
      req.identity = ANONYMOUS;
      return;
    }
    if (access === "public") return;
    const who = await identify(req, config, sessions);
    req.actor = who.actor;
    req.identity = who;
    if (who.must_change_password && !allowedWhilePasswordChangeRequired(req.method, route)) {
      throw new KanadeError(
        "PASSWORD_CHANGE_REQUIRED",
        `Account "${who.actor}" must change its password first (kanade login, then POST /api/auth/password)`,
      );
    }
    if (!roleAtLeast(who.role, access)) {
      throw new KanadeError("FORBIDDEN", `${req.method} ${route} needs the ${access} role; "${who.actor}" is ${article(who.role)} ${who.role}`);
    }
  });
}

const article = (role: Role): string => (role === "admin" || role === "operator" ? "an" : "a");

/** Browsers cannot set headers on a WebSocket, so they offer the token as subprotocol `bearer.<token>`. */
function wsBearerToken(req: FastifyRequest): string | undefined {
  const offered = req.headers["sec-websocket-protocol"];
  if (typeof offered !== "string") return undefined;
  const p = offered.split(",").map((s) => s.trim()).find((s) => s.startsWith(WS_BEARER_PROTOCOL_PREFIX));
  return p?.slice(WS_BEARER_PROTOCOL_PREFIX.length) || undefined;
}
