/** Agents, groups, agent config, inventory, performance, packages and agent builds: part of the route table (`routes.ts`). */
import { agentDetailSchema, agentSummarySchema, groupMembersAddedSchema, groupSummarySchema, installedAppRowSchema, missingAppSchema, inventoryRecordSchema, listResponseSchema as list, perfFrameSchema, pingReplySchema } from "../api.js";
import { configScopeInputSchema } from "../config-write.js";
import { agentLogsReplySchema } from "../fleet.js";
import { timelineEventSchema } from "../events.js";
import { hostPerfSchema } from "../messages.js";
import { agentRolloutStartSchema, rolloutViewSchema } from "../rollout-waves.js";
import { agentReleaseSchema, rolloutRequestSchema, rolloutResponseSchema, rolloutStatusSchema, storedObjectSchema } from "../releases.js";
import { binary, binaryBody, json, jsonBody, websocket, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";
import * as r from "./responses.js";

const scopeAnswer = json(r.configScopeAnswerSchema);
const scopeBody = jsonBody(configScopeInputSchema, "INVALID_CONFIG");
const patchBody = jsonBody(q.configPatchSchema);
const groupsBody = jsonBody(q.groupsBodySchema);
const objects = json(list(storedObjectSchema));
const uploaded = json(storedObjectSchema, 201);
const deletedObject = json(r.objectDeletedSchema);

export const fleetRoutes = {
  // ---- agents -----------------------------------------------------------------------------------
  listAgents: {
    method: "GET", path: "/api/agents", access: "viewer",
    summary: "Known agents, with online state",
    query: q.listAgentsQuery, response: json(list(agentSummarySchema)),
  },
  getFleetSummary: {
    method: "GET", path: "/api/fleet/summary", access: "viewer",
    summary: "How many agents there are and how many are online, counted in the database",
    response: json(r.fleetSummarySchema),
  },
  getAgent: {
    method: "GET", path: "/api/agents/:pc", access: "viewer",
    summary: "One agent",
    params: q.pcParams, response: json(agentDetailSchema),
  },
  deleteAgent: {
    method: "DELETE", path: "/api/agents/:pc", access: "operator",
    summary: "Forget an agent and what is known about it",
    params: q.pcParams, response: json(r.agentDeletedSchema),
  },
  pingAgent: {
    method: "POST", path: "/api/agents/:pc/ping", access: "operator",
    summary: "Round trip to the agent, with a fresh heartbeat",
    params: q.pcParams, response: json(pingReplySchema),
  },
  getAgentPing: {
    method: "GET", path: "/api/agents/:pc/ping", access: "viewer",
    summary: "The same ping as a read (it changes nothing)",
    params: q.pcParams, response: json(pingReplySchema),
  },
  getAgentLogs: {
    method: "GET", path: "/api/agents/:pc/logs", access: "viewer",
    summary: "The agent's recent log lines",
    params: q.pcParams, query: q.agentLogsQuery, response: json(agentLogsReplySchema),
  },

  // ---- event timeline ---------------------------------------------------------------------------
  listEvents: {
    method: "GET", path: "/api/events", access: "viewer",
    summary: "Timeline events of the fleet or one PC, newest first",
    query: q.listEventsQuery, response: json(list(timelineEventSchema)),
  },

  // ---- groups -----------------------------------------------------------------------------------
  listGroups: {
    method: "GET", path: "/api/groups", access: "viewer",
    summary: "Every group with its members",
    response: json(list(groupSummarySchema)),
  },
  addGroupMembers: {
    method: "POST", path: "/api/groups/:g/members", access: "operator",
    summary: "Add many PCs to one group in one request",
    params: q.groupParams, body: jsonBody(q.groupMembersBodySchema), response: json(groupMembersAddedSchema),
  },
  getAgentGroups: {
    method: "GET", path: "/api/agents/:pc/groups", access: "viewer",
    summary: "A PC's groups",
    params: q.pcParams, response: json(r.agentGroupsViewSchema),
  },
  setAgentGroups: {
    method: "PUT", path: "/api/agents/:pc/groups", access: "operator",
    summary: "Replace a PC's groups",
    params: q.pcParams, body: groupsBody, response: json(r.agentGroupsViewSchema),
  },
  addAgentGroups: {
    method: "POST", path: "/api/agents/:pc/groups", access: "operator",
    summary: "Add groups to a PC",
    params: q.pcParams, body: groupsBody, response: json(r.agentGroupsViewSchema),
  },
  removeAgentGroup: {
    method: "DELETE", path: "/api/agents/:pc/groups/:g", access: "operator",
    summary: "Remove one group from a PC",
    params: q.pcGroupParams, response: json(r.agentGroupsViewSchema),
  },

  // ---- layered agent config ---------------------------------------------------------------------
  getGlobalConfig: {
    method: "GET", path: "/api/config", access: "viewer",
    summary: "The global config scope",
    response: scopeAnswer,
  },
  putGlobalConfig: {
    method: "PUT", path: "/api/config", access: "operator",
    summary: "Replace the global config scope",
    body: scopeBody, response: scopeAnswer,
  },
  patchGlobalConfig: {
    method: "PATCH", path: "/api/config", access: "operator",
    summary: "Merge-patch the global config scope (null removes a field)",
    body: patchBody, response: scopeAnswer,
  },
  deleteGlobalConfig: {
    method: "DELETE", path: "/api/config", access: "operator",
    summary: "Remove the global config scope",
    response: scopeAnswer,
  },
  getGroupConfig: {
    method: "GET", path: "/api/groups/:g/config", access: "viewer",
    summary: "One group's config scope",
    params: q.groupParams, response: scopeAnswer,
  },
  putGroupConfig: {
    method: "PUT", path: "/api/groups/:g/config", access: "operator",
    summary: "Replace one group's config scope",
    params: q.groupParams, body: scopeBody, response: scopeAnswer,
  },
  patchGroupConfig: {
    method: "PATCH", path: "/api/groups/:g/config", access: "operator",
    summary: "Merge-patch one group's config scope",
    params: q.groupParams, body: patchBody, response: scopeAnswer,
  },
  deleteGroupConfig: {
    method: "DELETE", path: "/api/groups/:g/config", access: "operator",
    summary: "Remove one group's config scope",
    params: q.groupParams, response: scopeAnswer,
  },
  getAgentConfig: {
    method: "GET", path: "/api/agents/:pc/config", access: "viewer",
    summary: "One PC's own config scope",
    params: q.pcParams, response: scopeAnswer,
  },
  putAgentConfig: {
    method: "PUT", path: "/api/agents/:pc/config", access: "operator",
    summary: "Replace one PC's config scope",
    params: q.pcParams, body: scopeBody, response: scopeAnswer,
  },
  patchAgentConfig: {
    method: "PATCH", path: "/api/agents/:pc/config", access: "operator",
    summary: "Merge-patch one PC's config scope",
    params: q.pcParams, body: patchBody, response: scopeAnswer,
  },
  deleteAgentConfig: {
    method: "DELETE", path: "/api/agents/:pc/config", access: "operator",
    summary: "Remove one PC's config scope",
    params: q.pcParams, response: scopeAnswer,
  },
  getEffectiveConfig: {
    method: "GET", path: "/api/agents/:pc/effective_config", access: "viewer",
    summary: "What a PC runs with, where each value came from, conflicts",
    params: q.pcParams, response: json(r.effectiveConfigAnswerSchema),
  },

  // ---- inventory --------------------------------------------------------------------------------
  findInstalledApps: {
    method: "GET", path: "/api/inventory", access: "viewer",
    summary: "PCs with an application whose name contains app",
    query: q.findAppsQuery, response: json(list(installedAppRowSchema)),
  },
  findMissingApp: {
    method: "GET", path: "/api/inventory/apps/missing", access: "viewer",
    summary: "PCs whose software inventory has no application whose name contains app",
    query: q.missingAppQuery, response: json(missingAppSchema),
  },
  getInventory: {
    method: "GET", path: "/api/inventory/:pc", access: "viewer",
    summary: "Built-in inventory of one PC",
    params: q.pcParams, response: json(inventoryRecordSchema),
  },
  getJobFacts: {
    method: "GET", path: "/api/inventory/jobs/:job", access: "viewer",
    summary: "An inventory job's facts as a fleet table, or their history",
    params: q.inventoryJobParams, query: q.jobFactsQuery, response: json(r.jobFactsAnswerSchema),
  },

  // ---- performance ------------------------------------------------------------------------------
  getAgentPerf: {
    method: "GET", path: "/api/agents/:pc/perf", access: "viewer",
    summary: "A PC's stored host perf samples, oldest first",
    params: q.pcParams, query: q.agentPerfQuery, response: json(list(hostPerfSchema)),
  },
  watchAgentPerf: {
    method: "GET", path: "/api/agents/:pc/perf/live", access: "viewer",
    summary: "WebSocket: the PC's host and process perf, live",
    params: q.pcParams, response: websocket(perfFrameSchema),
  },
  getFleetPerf: {
    method: "GET", path: "/api/perf/fleet", access: "viewer",
    summary: "The newest sample of every PC, hottest first",
    query: q.fleetPerfQuery, response: json(r.fleetPerfSchema),
  },
  watchFleetPerf: {
    method: "GET", path: "/api/perf/fleet/live", access: "viewer",
    summary: "WebSocket: every PC's samples as they arrive",
    response: websocket(perfFrameSchema),
  },

  // ---- app packages and script objects ----------------------------------------------------------
  listAppPackages: {
    method: "GET", path: "/api/app-packages", access: "viewer",
    summary: "Stored application packages, newest first",
    response: objects,
  },
  uploadAppPackage: {
    method: "POST", path: "/api/app-packages/:name/:version", access: "operator",
    summary: "Upload a package (streamed; force=true replaces)",
    params: q.objectParams, query: q.uploadQuery, body: binaryBody, response: uploaded,
  },
  downloadAppPackage: {
    method: "GET", path: "/api/app-packages/:name/:version", access: "viewer",
    summary: "Download a package (streamed, with its digests)",
    params: q.objectParams, response: binary(),
  },
  deleteAppPackage: {
    method: "DELETE", path: "/api/app-packages/:name/:version", access: "operator",
    summary: "Delete a package",
    params: q.objectParams, response: deletedObject,
  },
  listScriptObjects: {
    method: "GET", path: "/api/script-objects", access: "viewer",
    summary: "Stored script objects, newest first",
    response: objects,
  },
  uploadScriptObject: {
    method: "POST", path: "/api/script-objects/:name/:version", access: "operator",
    summary: "Upload a script object (streamed; force=true replaces)",
    params: q.objectParams, query: q.uploadQuery, body: binaryBody, response: uploaded,
  },
  downloadScriptObject: {
    method: "GET", path: "/api/script-objects/:name/:version", access: "viewer",
    summary: "Download a script object",
    params: q.objectParams, response: binary(),
  },
  deleteScriptObject: {
    method: "DELETE", path: "/api/script-objects/:name/:version", access: "operator",
    summary: "Delete a script object",
    params: q.objectParams, response: deletedObject,
  },

  // ---- agent builds and rollout -----------------------------------------------------------------
  listAgentReleases: {
    method: "GET", path: "/api/agent-releases", access: "viewer",
    summary: "Published agent builds, newest first",
    response: json(list(agentReleaseSchema)),
  },
  publishAgentRelease: {
    method: "POST", path: "/api/agent-releases", access: "operator",
    summary: "Upload an agent build for a version and platform (streamed)",
    query: q.publishReleaseQuery, body: binaryBody, response: json(agentReleaseSchema, 201),
  },
  downloadAgentRelease: {
    method: "GET", path: "/api/agent-releases/:key", access: "viewer",
    summary: "Download one agent build",
    params: q.releaseKeyParams, response: binary(),
  },
  deleteAgentRelease: {
    method: "DELETE", path: "/api/agent-releases/:key", access: "operator",
    summary: "Delete one agent build",
    params: q.releaseKeyParams, response: deletedObject,
  },
  getRollout: {
    method: "GET", path: "/api/agent-rollout", access: "viewer",
    summary: "Target versions per scope, agents per running version, quarantines",
    response: json(rolloutStatusSchema),
  },
  setRollout: {
    method: "POST", path: "/api/agent-rollout", access: "operator",
    summary: "Set target_version on PCs, groups or globally",
    body: jsonBody(rolloutRequestSchema), response: json(rolloutResponseSchema),
  },
  startAgentWaveRollout: {
    method: "POST", path: "/api/agent-rollout/waves", access: "operator",
    summary: "Roll an agent version out wave by wave; a wave whose PCs do not come up on it aborts the rest",
    body: jsonBody(agentRolloutStartSchema), response: json(rolloutViewSchema, 201),
  },

} as const satisfies Record<string, RouteDef>;
