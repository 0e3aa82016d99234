/** Bearer-token auth for `/api/*` (SPEC §7). `GET /api/version` and `/health` stay open. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, WS_BEARER_PROTOCOL_PREFIX } from "@kanade/protocol";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is acting, for audit and `issued_by`: "static-token", or "anonymous" when auth is disabled. */
    actor: string;
  }
}

export interface AuthConfig {
  authDisabled: boolean;
  staticToken?: string;
}

// Hash both sides first so the comparison takes the same time whatever the lengths are.
const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

function needsAuth(req: FastifyRequest): boolean {
  const path = req.url.split("?")[0] ?? "";
  if (!path.startsWith("/api/") && path !== "/api") return false;
  return !(req.method === "GET" && path === "/api/version");
}

export function registerAuth(app: FastifyInstance, config: AuthConfig): void {
  app.decorateRequest("actor", "anonymous");
  app.addHook("onRequest", async (req) => {
    if (config.authDisabled) {
      req.actor = "anonymous";
      return;
    }
    if (!needsAuth(req)) return;
    const header = req.headers.authorization ?? "";
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? wsBearerToken(req);
    if (!presented || !config.staticToken || !tokenMatches(presented.trim(), config.staticToken)) {
      throw new KanadeError("UNAUTHORIZED", "Missing or invalid bearer token (Authorization: Bearer <token>)");
    }
    req.actor = "static-token";
  });
}

/** Browsers cannot set headers on a WebSocket, so they offer the token as subprotocol `bearer.<token>`. */
function wsBearerToken(req: FastifyRequest): string | undefined {
  const offered = req.headers["sec-websocket-protocol"];
  if (typeof offered !== "string") return undefined;
  const p = offered.split(",").map((s) => s.trim()).find((s) => s.startsWith(WS_BEARER_PROTOCOL_PREFIX));
  return p?.slice(WS_BEARER_PROTOCOL_PREFIX.length) || undefined;
}
