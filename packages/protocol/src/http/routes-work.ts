/** Jobs, executions, rollouts, compliance, the freeze, schedules and results: part of the route table (`routes.ts`). */
import { approvalDecisionSchema, execPreviewSchema, execRequestSchema, execResponseSchema, executionSummarySchema, executionViewSchema, jobDetailSchema, jobSummarySchema, listResponseSchema as list, resultRecordSchema } from "../api.js";
import { adhocScriptSchema, promoteRunSchema, runRequestSchema } from "../adhoc.js";
import { runTailReplySchema } from "../run-tail.js";
import { approvalResponseSchema } from "../governance.js";
import { freezeRequestSchema, freezeStatusSchema } from "../freeze.js";
import { rolloutStartSchema, rolloutViewSchema } from "../rollout-waves.js";
import { complianceCheckSchema, complianceDetailSchema, complianceHistoryEntrySchema } from "../compliance.js";
import { scheduleCoverageSchema, scheduleDeletedSchema, scheduleDetailSchema, schedulePreviewSchema, scheduleStatusSchema, scheduleStoredSchema, scheduleSummarySchema, scheduleToggleBodySchema, scheduleToggledSchema } from "../schedule-api.js";
import { binary, json, jsonBody, text, yamlBody, type RouteDef } from "./descriptors.js";
import * as q from "./requests.js";
import * as r from "./responses.js";

export const workRoutes = {
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

} as const satisfies Record<string, RouteDef>;
