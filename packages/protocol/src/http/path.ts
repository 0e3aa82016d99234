/** Turning a route's pattern (`/api/jobs/:id`) into a request path, and into the docs' `{id}` form. */
import { apiRoutes, type RouteName } from "./routes.js";
import type { PathParams } from "./types.js";

const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** The `:param` names of a pattern, in order. */
export function pathParamNames(pattern: string): string[] {
  return [...pattern.matchAll(PARAM)].map((m) => m[1]!);
}

/** Fills a pattern's `:params`, each encoded with encodeURIComponent; a missing one throws. */
export function fillPath(pattern: string, params: Readonly<Record<string, string | number>> = {}): string {
  return pattern.replace(PARAM, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${pattern}: missing path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
}

/** The request path of a route: `pathFor("getJob", { id: "hello" })` → `/api/jobs/hello`. */
export function pathFor<K extends RouteName>(name: K, ...params: PathParams<K> extends undefined ? [] : [params: PathParams<K>]): string {
  const [values] = params as [Record<string, string | number>?];
  return fillPath(apiRoutes[name].path, values);
}

/** The pattern as the docs write it: `/api/jobs/:id` → `/api/jobs/{id}`. */
export const docsPath = (pattern: string): string => pattern.replace(PARAM, "{$1}");
