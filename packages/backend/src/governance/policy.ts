/**
 * Who may call what. One table of explicit rules; everything else falls to a default by method, so a
 * route added anywhere in the app is covered the moment it is registered.
 */
import type { FastifyInstance } from "fastify";
import type { Role } from "@kanade/protocol";

/** `public`: no token needed. Otherwise the least role that may call the route. */
export type Access = "public" | Role;

export interface RouteEntry {
  method: string;
  url: string;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered after auth was set up, for the policy and its tests. */
    kanadeRoutes: RouteEntry[];
  }
}

/** Explicit rules, keyed `METHOD /route/pattern`. Anything not here falls to {@link defaultAccess}. */
export const POLICY_OVERRIDES: Readonly<Record<string, Access>> = {
  "GET /api/version": "public",
  "HEAD /api/version": "public",
  "POST /api/auth/login": "public",
  // Changing one's own password and ending one's own session are for every account, viewers included.
  "POST /api/auth/password": "viewer",
  "POST /api/auth/logout": "viewer",
  // Raw KV writes bypass every check the typed routes make (revocation, config layering): admins only.
  "PUT /api/jetstream/kv/:bucket/:key": "admin",
  "DELETE /api/jetstream/kv/:bucket/:key": "admin",
};

/** Routes an account that must change its password may still call. */
export const PASSWORD_CHANGE_ALLOWED: ReadonlySet<string> = new Set([
  "GET /api/auth/me",
  "HEAD /api/auth/me",
  "POST /api/auth/password",
  "POST /api/auth/logout",
]);

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Reads need a viewer, changes an operator, account management an admin; /metrics is read-only. */
export function defaultAccess(method: string, url: string): Access {
  const isApi = url === "/api" || url.startsWith("/api/");
  if (!isApi && url !== "/metrics") return "public";
  if (url === "/api/accounts" || url.startsWith("/api/accounts/")) return "admin";
  return READ_METHODS.has(method) ? "viewer" : "operator";
}

export const routeKey = (method: string, url: string): string => `${method} ${url}`;

export function accessFor(method: string, url: string): Access {
  return POLICY_OVERRIDES[routeKey(method, url)] ?? defaultAccess(method, url);
}

/** Records every route as it is registered; call before any route is added. */
export function trackRoutes(app: FastifyInstance): void {
  const routes: RouteEntry[] = [];
  app.decorate("kanadeRoutes", routes);
  app.addHook("onRoute", (opts) => {
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    for (const m of methods) routes.push({ method: m, url: opts.url });
  });
}
