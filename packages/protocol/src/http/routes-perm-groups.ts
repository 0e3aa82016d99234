/** Permission groups and the accounts in them (admins only): part of the route table (`routes.ts`). */
import { listResponseSchema as list } from "../api.js";
import { accountPermGroupsBodySchema, accountPermGroupsSchema, permGroupDeletedSchema, permGroupInputSchema, permGroupParams, permGroupSchema } from "../perm-groups.js";
import { json, jsonBody, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";

export const permGroupRoutes = {
  listPermGroups: {
    method: "GET", path: "/api/perm-groups", access: "admin",
    summary: "Every permission group with its PC groups, capabilities and accounts",
    response: json(list(permGroupSchema)),
  },
  getPermGroup: {
    method: "GET", path: "/api/perm-groups/:name", access: "admin",
    summary: "One permission group",
    params: permGroupParams, response: json(permGroupSchema),
  },
  putPermGroup: {
    method: "PUT", path: "/api/perm-groups/:name", access: "admin",
    summary: "Create (201) or replace (200) a permission group: PC groups and capabilities",
    params: permGroupParams, body: jsonBody(permGroupInputSchema), response: json(permGroupSchema, 201, [200]),
  },
  deletePermGroup: {
    method: "DELETE", path: "/api/perm-groups/:name", access: "admin",
    summary: "Delete a permission group no account is in (409 naming them otherwise)",
    params: permGroupParams, response: json(permGroupDeletedSchema),
  },
  setAccountPermGroups: {
    method: "PUT", path: "/api/accounts/:username/perm-groups", access: "admin",
    summary: "Replace an account's permission groups; an empty list makes it unscoped (its role's whole-fleet rights)",
    params: q.usernameParams, body: jsonBody(accountPermGroupsBodySchema), response: json(accountPermGroupsSchema),
  },
  getAccountPermGroups: {
    method: "GET", path: "/api/accounts/:username/perm-groups", access: "admin",
    summary: "An account's permission groups",
    params: q.usernameParams, response: json(accountPermGroupsSchema),
  },
} as const satisfies Record<string, RouteDef>;
