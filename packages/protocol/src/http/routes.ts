/**
 * The HTTP API as data: every route of kanade-backend, keyed by operation name, with its method, path,
 * schemas and the least role that may call it. The one place an API path is written: the backend
 * registers from this table, the CLI and the web UI call through `createApiClient`, and
 * docs/reference/api.md is checked against it.
 *
 * Access follows one rule with few exceptions: reads need a viewer, changes an operator, accounts and
 * raw KV writes an admin. Nothing under `/api/agents/` is a fixed word, so no pc_id can be shadowed.
 */
import { accessRoutes } from "./routes-access.js";
import { workRoutes } from "./routes-work.js";
import { fleetRoutes } from "./routes-fleet.js";
import { notificationRoutes } from "./routes-notifications.js";
import { groupRoutes } from "./routes-groups.js";
import { permGroupRoutes } from "./routes-perm-groups.js";
import type { RouteDef } from "./descriptors.js";

export const apiRoutes = {
  ...accessRoutes,
  ...workRoutes,
  ...fleetRoutes,
  ...notificationRoutes,
  ...groupRoutes,
  ...permGroupRoutes,
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof apiRoutes;
export type RouteName = keyof Routes;

/** Every route as `[name, def]`, in table order. */
export const routeEntries = Object.entries(apiRoutes) as [RouteName, RouteDef][];

/** Runtime check that a string names a route (e.g. from a CLI flag or a test table). */
export const isRouteName = (s: string): s is RouteName => Object.hasOwn(apiRoutes, s);
