/**
 * The HTTP API as data: every route of kanade-backend, keyed by operation name, with its method, path,
 * schemas and the least role that may call it. The one place an API path is written: the backend
 * registers from this table, the CLI and the web UI call through `createApiClient`, and
 * docs/reference/api.md is checked against it.
 *
 * Access follows one rule with few exceptions: reads need a viewer, changes an operator, accounts and
 * raw KV writes an admin. Nothing under `/api/agents/` is a fixed word, so no pc_id can be shadowed.
 */
import {
  agentDetailSchema,
  approvalDecisionSchema,
  agentSummarySchema,
  execPreviewSchema,
  execRequestSchema,
  execResponseSchema,
  executionSummarySchema,
  executionViewSchema,
  groupMembersAddedSchema,
  groupSummarySchema,
  installedAppRowSchema,
  missingAppSchema,
  inventoryRecordSchema,
  jobDetailSchema,
  jobSummarySchema,
  listResponseSchema as list,
  perfFrameSchema,
  pingReplySchema,
  resultRecordSchema,
  versionInfoSchema,
} from "../api.js";
import { adhocScriptSchema, promoteRunSchema, runRequestSchema } from "../adhoc.js";
import { configScopeInputSchema } from "../config-write.js";
import { fleetHealthQuery, fleetHealthSchema } from "../fleet-health.js";
import { runTailReplySchema } from "../run-tail.js";
import { commandKeyInfoSchema } from "../signing.js";
import {
  enrollmentDecisionBodySchema,
  enrollmentListQuerySchema,
  enrollmentViewSchema,
  enrollTokenCreatedSchema,
  enrollTokenCreateSchema,
  enrollTokenViewSchema,
  installerQuerySchema,
  installerReleaseQuerySchema,
} from "../enrollment.js";
import { agentLogsReplySchema } from "../fleet.js";
import {
  accountCreateSchema,
  accountPatchSchema,
  accountSummarySchema,
  approvalResponseSchema,
  auditEventSchema,
  identitySchema,
  jetStreamStatusSchema,
  kvDeleteResponseSchema,
  kvEntryViewSchema,
  kvPutRequestSchema,
  kvPutResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  passwordChangeSchema,
} from "../governance.js";
import { hostPerfSchema } from "../messages.js";
import { freezeRequestSchema, freezeStatusSchema } from "../freeze.js";
import { rolloutStartSchema, rolloutViewSchema } from "../rollout-waves.js";
import { supportBundleDetailSchema, supportBundleSummarySchema } from "../support-bundles.js";
import { complianceCheckSchema, complianceDetailSchema, complianceHistoryEntrySchema } from "../compliance.js";
import {
  scheduleCoverageSchema,
  scheduleDeletedSchema,
  scheduleDetailSchema,
  schedulePreviewSchema,
  scheduleStatusSchema,
  scheduleStoredSchema,
  scheduleSummarySchema,
  scheduleToggleBodySchema,
  scheduleToggledSchema,
} from "../schedule-api.js";
import { agentReleaseSchema, rolloutRequestSchema, rolloutResponseSchema, rolloutStatusSchema, storedObjectSchema } from "../releases.js";
import { binary, binaryBody, json, jsonBody, text, websocket, yamlBody, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";
import * as r from "./responses.js";

const scopeAnswer = json(r.configScopeAnswerSchema);
const scopeBody = jsonBody(configScopeInputSchema, "INVALID_CONFIG");
const patchBody = jsonBody(q.configPatchSchema);
const groupsBody = jsonBody(q.groupsBodySchema);
const objects = json(list(storedObjectSchema));
const uploaded = json(storedObjectSchema, 201);
const deletedObject = json(r.objectDeletedSchema);

export const apiRoutes = {
  // ---- service ----------------------------------------------------------------------------------
  getHealth: {
    method: "GET", path: "/health", access: "public",
    summary: "Liveness: the database answers; whether NATS is connected",
    response: json(r.healthSchema),
  },
  getFleetHealth: {
    method: "GET", path: "/api/health/fleet", access: "viewer",
    summary: "Readiness of the whole service: 200, or 503 with reasons (broker, database, projector lag, stale agents)",
    query: fleetHealthQuery, response: json(fleetHealthSchema, 200, [503]),
  },
  // Editors fetch these without a token; they are generated from public validation rules (docs/reference/api.md).
  getJsonSchema: {
    method: "GET", path: "/schemas/:file", access: "public",
    summary: "JSON Schema of a YAML document operators write (job-manifest.json, schedule.json), for editors",
    params: q.jsonSchemaParams, response: json(r.jsonSchemaDocumentSchema),
  },
  getVersion: {
    method: "GET", path: "/api/version", access: "public",
    summary: "Backend name, version and protocol number",
    response: json(versionInfoSchema),
  },
  getMetrics: {
    method: "GET", path: "/metrics", access: "viewer",
    summary: "Prometheus metrics (text format)",
    response: text("text/plain"),
  },

  // ---- sessions ---------------------------------------------------------------------------------
  login: {
    method: "POST", path: "/api/auth/login", access: "public",
    summary: "Exchange a username and password for a session token",
    body: jsonBody(loginRequestSchema), response: json(loginResponseSchema),
  },
  logout: {
    method: "POST", path: "/api/auth/logout", access: "viewer",
    summary: "End the caller's session; its token stops working",
    whilePasswordChangeRequired: true, response: json(r.logoutResponseSchema),
  },
  getMe: {
    method: "GET", path: "/api/auth/me", access: "viewer",
    summary: "Who the caller is: actor, role, kind",
    whilePasswordChangeRequired: true, response: json(identitySchema),
  },
  changePassword: {
    method: "POST", path: "/api/auth/password", access: "viewer",
    summary: "Change the caller's own password; answers a fresh session",
    whilePasswordChangeRequired: true, body: jsonBody(passwordChangeSchema), response: json(loginResponseSchema),
  },

  // ---- accounts ---------------------------------------------------------------------------------
  listAccounts: {
    method: "GET", path: "/api/accounts", access: "admin",
    summary: "Every account",
    response: json(list(accountSummarySchema)),
  },
  createAccount: {
    method: "POST", path: "/api/accounts", access: "admin",
    summary: "Create an account with a role",
    body: jsonBody(accountCreateSchema), response: json(accountSummarySchema, 201),
  },
  getAccount: {
    method: "GET", path: "/api/accounts/:username", access: "admin",
    summary: "One account",
    params: q.usernameParams, response: json(accountSummarySchema),
  },
  updateAccount: {
    method: "PATCH", path: "/api/accounts/:username", access: "admin",
    summary: "Change an account's role, disabled flag or password",
    params: q.usernameParams, body: jsonBody(accountPatchSchema), response: json(accountSummarySchema),
  },
  deleteAccount: {
    method: "DELETE", path: "/api/accounts/:username", access: "admin",
    summary: "Delete an account",
    params: q.usernameParams, response: json(r.accountDeletedSchema),
  },

  // ---- jobs -------------------------------------------------------------------------------------
  listJobs: {
    method: "GET", path: "/api/jobs", access: "viewer",
    summary: "The job catalog, in one page",
    response: json(list(jobSummarySchema)),
  },
  createJob: {
    method: "POST", path: "/api/jobs", access: "operator",
    summary: "Create (201) or replace (200) a job from its manifest",
    body: yamlBody("INVALID_MANIFEST"), response: json(r.jobStoredSchema, 201, [200]),
  },
  getJob: {
    method: "GET", path: "/api/jobs/:id", access: "viewer",
    summary: "One job's summary and stored manifest",
    params: q.jobParams, response: json(jobDetailSchema),
  },
  exportJob: {
    method: "GET", path: "/api/jobs/:id/yaml", access: "viewer",
    summary: "The job's YAML as submitted",
    params: q.jobParams, response: text("text/yaml"),
  },
  deleteJob: {
    method: "DELETE", path: "/api/jobs/:id", access: "operator",
    summary: "Delete a job, which also revokes it",
    params: q.jobParams, response: json(r.jobDeletedSchema),
  },
  revokeJob: {
    method: "POST", path: "/api/jobs/:id/revoke", access: "operator",
    summary: "Revoke a job: agents skip it (exit 126)",
    params: q.jobParams, response: json(r.jobStatusChangeSchema),
  },
  unrevokeJob: {
    method: "POST", path: "/api/jobs/:id/unrevoke", access: "operator",
    summary: "Make a revoked job runnable again",
    params: q.jobParams, response: json(r.jobStatusChangeSchema),
  },

  // ---- executions -------------------------------------------------------------------------------
  execJob: {
    method: "POST", path: "/api/exec/:job_id", access: "operator",
    summary: "Fire a job at PCs, groups or every agent",
    params: q.execJobParams, body: jsonBody(execRequestSchema), response: json(execResponseSchema, 202),
  },
  previewExec: {
    method: "POST", path: "/api/exec/:job_id/preview", access: "operator",
    summary: "What an exec request would target (PC count, online/offline), without firing it: confirm before running",
    params: q.execJobParams, body: jsonBody(execRequestSchema), response: json(execPreviewSchema),
  },
  createRun: {
    method: "POST", path: "/api/run", access: "operator",
    summary: "Run a script at PCs without a job (ad-hoc run): an execution like any other; operators only when the backend allows it",
    body: jsonBody(runRequestSchema), response: json(execResponseSchema, 202),
  },
  getRunScript: {
    method: "GET", path: "/api/executions/:exec_id/script", access: "viewer",
    summary: "The script an ad-hoc run recorded, exactly as submitted",
    params: q.execIdParams, response: json(adhocScriptSchema),
  },
  tailRun: {
    method: "GET", path: "/api/executions/:exec_id/tail", access: "viewer",
    summary: "Live output of one PC's run while it runs: what each stream wrote after the given byte offsets (asks the agent)",
    params: q.execIdParams, query: q.runTailQuery, response: json(runTailReplySchema),
  },
  promoteRun: {
    method: "POST", path: "/api/executions/:exec_id/job", access: "operator",
    summary: "Make a job from an ad-hoc run's script (kanade job from-run)",
    params: q.execIdParams, body: jsonBody(promoteRunSchema, "INVALID_MANIFEST"), response: json(r.jobStoredSchema, 201, [200]),
  },
  listExecutions: {
    method: "GET", path: "/api/executions", access: "viewer",
    summary: "Executions, newest first",
    query: q.listExecutionsQuery, response: json(list(executionSummarySchema)),
  },
  getExecution: {
    method: "GET", path: "/api/executions/:exec_id", access: "viewer",
    summary: "One execution's counts, and per-PC rows unless rows=false",
    params: q.execIdParams, query: q.getExecutionQuery, response: json(executionViewSchema),
  },
  killExecution: {
    method: "POST", path: "/api/executions/:exec_id/kill", access: "operator",
    summary: "Kill an execution on every PC and withdraw its queued commands",
    params: q.execIdParams, response: json(r.executionKilledSchema, 202),
  },
  approveExecution: {
    method: "POST", path: "/api/executions/:exec_id/approve", access: "operator",
    summary: "Approve a pending execution (another identity than the requester) for the content digest it names; publishes it",
    params: q.execIdParams, body: jsonBody(approvalDecisionSchema), response: json(approvalResponseSchema),
  },
  rejectExecution: {
    method: "POST", path: "/api/executions/:exec_id/reject", access: "operator",
    summary: "Reject a pending execution; it never runs",
    params: q.execIdParams, body: jsonBody(approvalDecisionSchema), response: json(approvalResponseSchema),
  },

  // ---- rollout waves ----------------------------------------------------------------------------
  startWaveRollout: {
    method: "POST", path: "/api/rollouts", access: "operator",
    summary: "Send a job to its target wave by wave, aborting when the failure rate reaches the threshold",
    body: jsonBody(rolloutStartSchema), response: json(rolloutViewSchema, 201),
  },
  listWaveRollouts: {
    method: "GET", path: "/api/rollouts", access: "viewer",
    summary: "Rollouts, newest first",
    query: q.listRolloutsQuery, response: json(list(rolloutViewSchema)),
  },
  getWaveRollout: {
    method: "GET", path: "/api/rollouts/:id", access: "viewer",
    summary: "One rollout: its waves, what was sent, the failure rate, why it stopped",
    params: q.rolloutIdParams, response: json(rolloutViewSchema),
  },
  pauseWaveRollout: {
    method: "POST", path: "/api/rollouts/:id/pause", access: "operator",
    summary: "Hold the next waves until resumed",
    params: q.rolloutIdParams, response: json(rolloutViewSchema),
  },
  resumeWaveRollout: {
    method: "POST", path: "/api/rollouts/:id/resume", access: "operator",
    summary: "Let a paused rollout go on",
    params: q.rolloutIdParams, response: json(rolloutViewSchema),
  },
  abortWaveRollout: {
    method: "POST", path: "/api/rollouts/:id/abort", access: "operator",
    summary: "Stop a rollout: the remaining PCs are never sent the command",
    params: q.rolloutIdParams, response: json(rolloutViewSchema),
  },

  // ---- compliance -------------------------------------------------------------------------------
  listCompliance: {
    method: "GET", path: "/api/compliance", access: "viewer",
    summary: "Every compliance check (job with check:) with its fleet pass rate",
    response: json(list(complianceCheckSchema)),
  },
  getCompliance: {
    method: "GET", path: "/api/compliance/:job", access: "viewer",
    summary: "One check: each PC's verdict (pass / fail / unknown), detail and since when; failing PCs first",
    params: q.complianceParams, response: json(complianceDetailSchema),
  },
  getComplianceHistory: {
    method: "GET", path: "/api/compliance/:job/pcs/:pc", access: "viewer",
    summary: "One PC's verdicts of one check, newest first",
    params: q.complianceHistoryParams, query: q.complianceHistoryQuery, response: json(list(complianceHistoryEntrySchema)),
  },

  // ---- fleet freeze -----------------------------------------------------------------------------
  getFreeze: {
    method: "GET", path: "/api/freeze", access: "viewer",
    summary: "Whether a fleet freeze holds now, and the stored freeze",
    response: json(freezeStatusSchema),
  },
  setFreeze: {
    method: "PUT", path: "/api/freeze", access: "operator",
    summary: "Set the fleet freeze (from now or from, until cleared or until): no schedule fires, exec needs during_freeze",
    body: jsonBody(freezeRequestSchema), response: json(freezeStatusSchema),
  },
  clearFreeze: {
    method: "DELETE", path: "/api/freeze", access: "operator",
    summary: "Clear the fleet freeze",
    response: json(freezeStatusSchema),
  },

  // ---- schedules --------------------------------------------------------------------------------
  listSchedules: {
    method: "GET", path: "/api/schedules", access: "viewer",
    summary: "Every schedule, with its rule and next fire",
    response: json(list(scheduleSummarySchema)),
  },
  createSchedule: {
    method: "POST", path: "/api/schedules", access: "operator",
    summary: "Create (201) or replace (200) a schedule from its YAML",
    body: yamlBody("INVALID_SCHEDULE"), response: json(scheduleStoredSchema, 201, [200]),
  },
  previewScheduleYaml: {
    method: "POST", path: "/api/schedules/preview", access: "operator",
    summary: "Validate schedule YAML without storing it; its next fire times",
    query: q.schedulePreviewQuery, body: yamlBody("INVALID_SCHEDULE"), response: json(schedulePreviewSchema),
  },
  getSchedule: {
    method: "GET", path: "/api/schedules/:id", access: "viewer",
    summary: "One schedule, as stored (defaults filled in) and as submitted",
    params: q.scheduleParams, response: json(scheduleDetailSchema),
  },
  exportSchedule: {
    method: "GET", path: "/api/schedules/:id/yaml", access: "viewer",
    summary: "The schedule's YAML as submitted (enabled as it is now)",
    params: q.scheduleParams, response: text("text/yaml"),
  },
  deleteSchedule: {
    method: "DELETE", path: "/api/schedules/:id", access: "operator",
    summary: "Delete a schedule; nothing more fires (runs already sent go on)",
    params: q.scheduleParams, response: json(scheduleDeletedSchema),
  },
  enableSchedule: {
    method: "POST", path: "/api/schedules/:id/enable", access: "operator",
    summary: "Let a schedule fire again",
    params: q.scheduleParams, response: json(scheduleToggledSchema),
  },
  disableSchedule: {
    method: "POST", path: "/api/schedules/:id/disable", access: "operator",
    summary: "Stop a schedule firing; cascade withdraws its queued commands, cascade_kill also kills its runs",
    params: q.scheduleParams, body: jsonBody(scheduleToggleBodySchema), response: json(scheduleToggledSchema),
  },
  previewSchedule: {
    method: "GET", path: "/api/schedules/:id/preview", access: "viewer",
    summary: "The schedule's next fire times, constraints applied",
    params: q.scheduleParams, query: q.schedulePreviewQuery, response: json(schedulePreviewSchema),
  },
  getScheduleStatus: {
    method: "GET", path: "/api/schedules/:id/status", access: "viewer",
    summary: "Whether it fires now, its recent and next fires, coverage counts",
    params: q.scheduleParams, response: json(scheduleStatusSchema),
  },
  getScheduleCoverage: {
    method: "GET", path: "/api/schedules/:id/coverage", access: "viewer",
    summary: "Every targeted PC, online or not: ok / failed / skipped / running / pending / not yet due, with the version it ran",
    params: q.scheduleParams, response: json(scheduleCoverageSchema),
  },

  // ---- results ----------------------------------------------------------------------------------
  listResults: {
    method: "GET", path: "/api/results", access: "viewer",
    summary: "Results, newest first, filtered by exec, PC, job or status",
    query: q.listResultsQuery, response: json(list(resultRecordSchema)),
  },
  getResult: {
    method: "GET", path: "/api/results/:result_id", access: "viewer",
    summary: "One result; full=true inlines the whole output",
    params: q.resultIdParams, query: q.getResultQuery, response: json(resultRecordSchema),
  },
  getResultOutput: {
    method: "GET", path: "/api/results/:result_id/output/:stream", access: "viewer",
    summary: "One stream's whole text, streamed",
    params: q.resultOutputParams, response: binary("text/plain; charset=utf-8"),
  },

  // ---- agents -----------------------------------------------------------------------------------
  listAgents: {
    method: "GET", path: "/api/agents", access: "viewer",
    summary: "Known agents, with online state",
    query: q.listAgentsQuery, response: json(list(agentSummarySchema)),
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

  // ---- support bundles (sent by people at their PCs through KLP) ----------------------------------
  listSupportBundles: {
    method: "GET", path: "/api/support-bundles", access: "viewer",
    summary: "Support bundles sent from PCs, newest first",
    query: q.listSupportBundlesQuery, response: json(list(supportBundleSummarySchema)),
  },
  getSupportBundle: {
    method: "GET", path: "/api/support-bundles/:id", access: "viewer",
    summary: "One support bundle with its content",
    params: q.supportBundleParams, response: json(supportBundleDetailSchema),
  },

  // ---- audit and JetStream ----------------------------------------------------------------------
  listAudit: {
    method: "GET", path: "/api/audit", access: "viewer",
    summary: "The audit trail, newest first",
    query: q.listAuditQuery, response: json(list(auditEventSchema)),
  },
  getJetStreamStatus: {
    method: "GET", path: "/api/jetstream/status", access: "viewer",
    summary: "Usage against limits of every stream, KV bucket and object store",
    response: json(jetStreamStatusSchema),
  },
  getKvEntry: {
    method: "GET", path: "/api/jetstream/kv/:bucket/:key", access: "viewer",
    summary: "One entry of one of kanade's KV buckets",
    params: q.kvParams, response: json(kvEntryViewSchema),
  },
  // Raw KV writes bypass every check the typed routes make (revocation, config layering): admins only.
  putKvEntry: {
    method: "PUT", path: "/api/jetstream/kv/:bucket/:key", access: "admin",
    summary: "Write one KV entry (checked for kanade's own buckets)",
    params: q.kvParams, body: jsonBody(kvPutRequestSchema), response: json(kvPutResponseSchema),
  },
  deleteKvEntry: {
    method: "DELETE", path: "/api/jetstream/kv/:bucket/:key", access: "admin",
    summary: "Delete one KV entry",
    params: q.kvParams, response: json(kvDeleteResponseSchema),
  },
  // ---- command signing keys (the lock-down of the fleet) --------------------------------------------
  listCommandKeys: {
    method: "GET", path: "/api/command-keys", access: "viewer",
    summary: "The keys commands are signed with, and their state",
    response: json(list(commandKeyInfoSchema)),
  },
  addCommandKey: {
    method: "POST", path: "/api/command-keys", access: "admin",
    summary: "Add a signing key; agents learn to trust it; it signs once the active key is retired",
    response: json(commandKeyInfoSchema, 201),
  },
  retireCommandKey: {
    method: "POST", path: "/api/command-keys/:kid/retire", access: "admin",
    summary: "Retire a signing key; the next key (if any) starts signing; agents stop trusting the retired one",
    params: q.commandKeyParams, response: json(commandKeyInfoSchema),
  },
  // ---- enrollment: who may join the fleet (issue 12 §2) -------------------------------------------
  listEnrollments: {
    method: "GET", path: "/api/enrollments", access: "viewer",
    summary: "Agents that asked to join, with their state; state=attention lists pending requests and key conflicts",
    query: enrollmentListQuerySchema, response: json(list(enrollmentViewSchema)),
  },
  acceptEnrollments: {
    method: "POST", path: "/api/enrollments/accept", access: "operator",
    summary: "Accept PCs' join requests (a conflicting key replaces the old one, which is revoked)",
    body: jsonBody(enrollmentDecisionBodySchema), response: json(list(enrollmentViewSchema)),
  },
  rejectEnrollments: {
    method: "POST", path: "/api/enrollments/reject", access: "operator",
    summary: "Reject PCs' join requests (or a conflicting key; the enrolled key stays)",
    body: jsonBody(enrollmentDecisionBodySchema), response: json(list(enrollmentViewSchema)),
  },
  revokeAgent: {
    method: "POST", path: "/api/agents/:pc/revoke", access: "operator",
    summary: "Cut an agent off the broker; it cannot reconnect until an operator accepts it again",
    params: q.pcParams, response: json(enrollmentViewSchema),
  },
  listEnrollTokens: {
    method: "GET", path: "/api/enroll-tokens", access: "viewer",
    summary: "Enrollment tokens still usable (never the secret)",
    response: json(list(enrollTokenViewSchema)),
  },
  createEnrollToken: {
    method: "POST", path: "/api/enroll-tokens", access: "operator",
    summary: "Make a token that deploy scripts give agents: their join requests are accepted at once",
    body: jsonBody(enrollTokenCreateSchema), response: json(enrollTokenCreatedSchema, 201),
  },
  // Public, but each checks an enrollment token (?token=): a technician pastes one command on a new PC.
  getInstallerShell: {
    method: "GET", path: "/api/agents/installer.sh", access: "public",
    summary: "One-line install for Linux (systemd): fetches the newest release, checks its digest, enrolls with the token",
    query: installerQuerySchema, response: text("text/x-shellscript"),
  },
  getInstallerPowershell: {
    method: "GET", path: "/api/agents/installer.ps1", access: "public",
    summary: "One-line install for Windows: fetches the newest release and the WinSW wrapper, checks their digests, installs the KanadeAgent service",
    query: installerQuerySchema, response: text("text/plain"),
  },
  downloadInstallerServiceWrapper: {
    method: "GET", path: "/api/agents/installer.winsw", access: "public",
    summary: "The WinSW service wrapper the Windows installer installs as KanadeAgent.exe (enrollment token instead of a session)",
    query: installerQuerySchema, response: binary(),
  },
  downloadInstallerRelease: {
    method: "GET", path: "/api/agents/installer.bin", access: "public",
    summary: "The agent build an installer fetches (enrollment token instead of a session)",
    query: installerReleaseQuerySchema, response: binary(),
  },
  listStoreObjects: {
    method: "GET", path: "/api/jetstream/objects/:store", access: "viewer",
    summary: "Objects of one of kanade's object stores",
    params: q.storeParams, response: objects,
  },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof apiRoutes;
export type RouteName = keyof Routes;

/** Every route as `[name, def]`, in table order. */
export const routeEntries = Object.entries(apiRoutes) as [RouteName, RouteDef][];

/** Runtime check that a string names a route (e.g. from a CLI flag or a test table). */
export const isRouteName = (s: string): s is RouteName => Object.hasOwn(apiRoutes, s);
