/** Tags and dynamic groups: part of the route table (`routes.ts`). */
import { listResponseSchema as list } from "../api.js";
import {
  agentTagsViewSchema,
  bulkTagChangeSchema,
  bulkTagResultSchema,
  groupDefineSchema,
  groupDefinitionSchema,
  groupDetailSchema,
  groupPreviewResultSchema,
  groupPreviewSchema,
  groupUndefinedSchema,
  tagChangeSchema,
} from "../tags.js";
import { json, jsonBody, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";

const tagsView = json(agentTagsViewSchema);

export const groupRoutes = {
  // ---- tags ---------------------------------------------------------------------------------------
  getAgentTags: {
    method: "GET", path: "/api/agents/:pc/tags", access: "viewer",
    summary: "A PC's tags and their revision",
    params: q.pcParams, response: tagsView,
  },
  changeAgentTags: {
    method: "PATCH", path: "/api/agents/:pc/tags", access: "operator",
    summary: "Set and remove tags; with expected_revision, 409 when another change came first",
    params: q.pcParams, body: jsonBody(tagChangeSchema), response: tagsView,
  },
  changeTagsBulk: {
    method: "POST", path: "/api/tags", access: "operator",
    summary: "Set and remove the same tags on many PCs",
    body: jsonBody(bulkTagChangeSchema), response: json(bulkTagResultSchema),
  },

  // ---- dynamic groups -----------------------------------------------------------------------------
  listGroupDefinitions: {
    method: "GET", path: "/api/group-definitions", access: "viewer",
    summary: "Every dynamic group's query",
    response: json(list(groupDefinitionSchema)),
  },
  getGroup: {
    method: "GET", path: "/api/groups/:g", access: "viewer",
    summary: "One group: its definition (when dynamic) and its static and dynamic members",
    params: q.groupParams, response: json(groupDetailSchema),
  },
  defineGroup: {
    method: "PUT", path: "/api/groups/:g", access: "operator",
    summary: "Make a group dynamic: its members are the PCs its query matches (static members stay)",
    params: q.groupParams, body: jsonBody(groupDefineSchema), response: json(groupDetailSchema),
  },
  undefineGroup: {
    method: "DELETE", path: "/api/groups/:g", access: "operator",
    summary: "Drop a group's query; its dynamic members leave it (static members stay)",
    params: q.groupParams, response: json(groupUndefinedSchema),
  },
  previewGroupQuery: {
    method: "POST", path: "/api/group-preview", access: "viewer",
    summary: "Which PCs a query would match, without saving it",
    body: jsonBody(groupPreviewSchema), response: json(groupPreviewResultSchema),
  },
} as const satisfies Record<string, RouteDef>;
