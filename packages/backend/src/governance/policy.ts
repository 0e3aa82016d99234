/**
 * Who may call what: the `access` of each route in the protocol's route table. A path that is not in the
 * table (a typo, a route that does not exist) still needs a token under `/api`, so unknown paths answer 401
 * like real ones and reveal nothing; outside `/api` (the web UI's files) everything is public.
 */
import type { FastifyInstance } from "fastify";
import { apiRoutes, type Access, type RouteDef } from "@kanade/protocol";

export type { Access } from "@kanade/protocol";

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

export const routeKey = (method: string, url: string): string => `${method} ${url}`;

const TABLE: ReadonlyMap<string, RouteDef> = new Map(Object.values(apiRoutes).map((d: RouteDef) => [routeKey(d.method, d.path), d]));

/** The table entry of a registered route; HEAD answers as its GET. */
function entry(method: string, url: string): RouteDef | undefined {
  return TABLE.get(routeKey(method === "HEAD" ? "GET" : method, url));
}

/** Unknown paths: under /api (and /metrics) a token is needed to learn even that they do not exist. */
function fallbackAccess(method: string, url: string): Access {
  const isApi = url === "/api" || url.startsWith("/api/") || url === "/metrics";
  if (!isApi) return "public";
  return method === "GET" || method === "HEAD" || method === "OPTIONS" ? "viewer" : "operator";
}

export function accessFor(method: string, url: string): Access {
  return entry(method, url)?.access ?? fallbackAccess(method, url);
}

/** An account that must change its password may still call these (who am I, change password, sign out). */
export function allowedWhilePasswordChangeRequired(method: string, url: string): boolean {
  return entry(method, url)?.whilePasswordChangeRequired === true;
}

/** An account whose role requires TOTP and that has not enrolled may still call these (enrolment, who am I, sign out). */
export function allowedWhileTotpEnrollmentRequired(method: string, url: string): boolean {
  return entry(method, url)?.whileTotpEnrollmentRequired === true;
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
