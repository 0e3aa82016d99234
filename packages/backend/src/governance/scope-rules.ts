/**
 * How each route treats a caller scoped by permission groups. The table is a `Record` over every route name,
 * so a route added to the protocol's table without a rule here does not compile; the scope test walks it.
 *
 * - `open`: not about any PC (the caller's own account, the shared job catalog and stores), or admins only
 *   (admins are never scoped).
 * - `fleet`: about the whole fleet (fleet-wide counts, broker internals, group membership and tags that decide
 *   scopes, fleet-wide settings): a scoped caller is refused with OUT_OF_SCOPE.
 * - `pc` / `group`: the `:pc` / `:g` in the path must be in scope.
 * - `exec` / `result`: the execution must target only PCs in scope; the result must be from one.
 * - `cap`: a change to something shared (catalog, package stores) that needs a capability but names no PC.
 * - `target`: an exec or run; the use case narrows `all` and refuses PCs or groups outside the scope.
 * - `filter`: the answer is filtered to the scope before it is sent (scope-filters.ts).
 * - `socket`: a WebSocket that drops frames about PCs outside the scope.
 * A `cap` on any rule is needed on top of the rule (reads need none).
 */
import type { Capability, RouteName } from "@kanade/protocol";

export type FilterName = "pcItems" | "pcField" | "executions" | "audit" | "groups" | "fleetPerf" | "missingApps";

export type ScopeRule =
  | { kind: "open" }
  | { kind: "fleet" }
  | { kind: "pc"; cap?: Capability }
  | { kind: "group"; cap?: Capability }
  | { kind: "exec"; cap?: Capability }
  | { kind: "result" }
  | { kind: "cap"; cap: Capability }
  | { kind: "target"; cap: Capability }
  | { kind: "filter"; filter: FilterName }
  | { kind: "socket" };

const open = { kind: "open" } as const;
const fleet = { kind: "fleet" } as const;
const pc = (cap?: Capability): ScopeRule => (cap ? { kind: "pc", cap } : { kind: "pc" });
const group = (cap?: Capability): ScopeRule => (cap ? { kind: "group", cap } : { kind: "group" });
const exec = (cap?: Capability): ScopeRule => (cap ? { kind: "exec", cap } : { kind: "exec" });
const cap = (c: Capability): ScopeRule => ({ kind: "cap", cap: c });
const filter = (f: FilterName): ScopeRule => ({ kind: "filter", filter: f });

export const SCOPE_RULES: Record<RouteName, ScopeRule> = {
  // ---- service, sign-in, the caller's own account --------------------------------------------------
  getHealth: open,
  getFleetHealth: fleet,
  // Counts only the caller's PCs: the route reads the caller's scope itself.
  getFleetSummary: open,
  getJsonSchema: open,
  getVersion: open,
  getMetrics: fleet,
  login: open,
  loginSecondFactor: open,
  getAuthMethods: open,
  startSso: open,
  finishSso: open,
  ssoHandoff: open,
  logout: open,
  getMe: open,
  changePassword: open,
  getTotpStatus: open,
  enrollTotp: open,
  confirmTotp: open,
  disableTotp: open,
  getTotpPolicy: open,
  getInvitation: open,
  acceptInvitation: open,
  requestPasswordReset: open,
  completePasswordReset: open,
  // ---- admins only (never scoped) ------------------------------------------------------------------
  resetAccountTotp: open,
  putTotpPolicy: open,
  listAccounts: open,
  createAccount: open,
  getAccount: open,
  updateAccount: open,
  deleteAccount: open,
  createInvitation: open,
  listInvitations: open,
  revokeInvitation: open,
  putKvEntry: open,
  deleteKvEntry: open,
  addCommandKey: open,
  retireCommandKey: open,
  listPermGroups: open,
  getPermGroup: open,
  putPermGroup: open,
  deletePermGroup: open,
  setAccountPermGroups: open,
  getAccountPermGroups: open,
  // ---- support bundles, audit, broker internals ------------------------------------------------------
  listSupportBundles: filter("pcItems"),
  getSupportBundle: filter("pcField"),
  listAudit: filter("audit"),
  getJetStreamStatus: fleet,
  getKvEntry: fleet,
  listCommandKeys: open,
  listStoreObjects: open,
  // ---- enrollment: PCs not in any group yet, so no scope holds them -----------------------------------
  listEnrollments: fleet,
  acceptEnrollments: fleet,
  rejectEnrollments: fleet,
  revokeAgent: pc("agents"),
  listEnrollTokens: fleet,
  createEnrollToken: fleet,
  getInstallerShell: open,
  getInstallerPowershell: open,
  downloadInstallerServiceWrapper: open,
  downloadInstallerRelease: open,
  // ---- the job catalog (shared) --------------------------------------------------------------------
  listJobs: open,
  createJob: cap("jobs"),
  getJob: open,
  exportJob: open,
  deleteJob: cap("jobs"),
  revokeJob: cap("jobs"),
  unrevokeJob: cap("jobs"),
  // ---- executions --------------------------------------------------------------------------------
  execJob: { kind: "target", cap: "exec" },
  previewExec: { kind: "target", cap: "exec" },
  createRun: { kind: "target", cap: "run" },
  getRunScript: exec(),
  tailRun: exec(),
  promoteRun: exec("jobs"),
  listExecutions: filter("executions"),
  getExecution: exec(),
  killExecution: exec("kill"),
  approveExecution: exec("approve"),
  rejectExecution: exec("approve"),
  // ---- rollouts, compliance, freeze, schedules: fleet-wide plans and counts ----------------------------
  startWaveRollout: fleet,
  listWaveRollouts: fleet,
  getWaveRollout: fleet,
  pauseWaveRollout: fleet,
  resumeWaveRollout: fleet,
  abortWaveRollout: fleet,
  listCompliance: fleet,
  getCompliance: fleet,
  getComplianceHistory: pc(),
  getFreeze: open,
  setFreeze: fleet,
  clearFreeze: fleet,
  listSchedules: open,
  createSchedule: fleet,
  previewScheduleYaml: open,
  getSchedule: open,
  exportSchedule: open,
  deleteSchedule: fleet,
  enableSchedule: fleet,
  disableSchedule: fleet,
  previewSchedule: open,
  getScheduleStatus: fleet,
  getScheduleCoverage: fleet,
  // ---- results ------------------------------------------------------------------------------------
  listResults: filter("pcItems"),
  getResult: { kind: "result" },
  getResultOutput: { kind: "result" },
  // ---- agents and events -------------------------------------------------------------------------
  listAgents: filter("pcItems"),
  getAgent: pc(),
  deleteAgent: pc("agents"),
  pingAgent: pc("agents"),
  getAgentPing: pc(),
  getAgentLogs: pc(),
  listEvents: filter("pcItems"),
  // ---- groups and tags: membership decides scopes, so changing it is fleet-wide ------------------------
  listGroups: filter("groups"),
  addGroupMembers: fleet,
  getAgentGroups: pc(),
  setAgentGroups: fleet,
  addAgentGroups: fleet,
  removeAgentGroup: fleet,
  getAgentTags: pc(),
  changeAgentTags: fleet,
  changeTagsBulk: fleet,
  listGroupDefinitions: open,
  getGroup: group(),
  defineGroup: fleet,
  undefineGroup: fleet,
  previewGroupQuery: fleet,
  // ---- layered config ------------------------------------------------------------------------------
  getGlobalConfig: open,
  putGlobalConfig: fleet,
  patchGlobalConfig: fleet,
  deleteGlobalConfig: fleet,
  getGroupConfig: group(),
  putGroupConfig: group("config"),
  patchGroupConfig: group("config"),
  deleteGroupConfig: group("config"),
  getAgentConfig: pc(),
  putAgentConfig: pc("config"),
  patchAgentConfig: pc("config"),
  deleteAgentConfig: pc("config"),
  getEffectiveConfig: pc(),
  // ---- inventory and performance ------------------------------------------------------------------
  findInstalledApps: filter("pcItems"),
  findMissingApp: filter("missingApps"),
  getInventory: pc(),
  getJobFacts: filter("pcItems"),
  getAgentPerf: pc(),
  watchAgentPerf: pc(),
  getFleetPerf: filter("fleetPerf"),
  watchFleetPerf: { kind: "socket" },
  // ---- packages, script objects, agent builds (shared stores) and agent rollout ------------------------
  listAppPackages: open,
  uploadAppPackage: cap("publish"),
  downloadAppPackage: open,
  deleteAppPackage: cap("publish"),
  listScriptObjects: open,
  uploadScriptObject: cap("publish"),
  downloadScriptObject: open,
  deleteScriptObject: cap("publish"),
  listAgentReleases: open,
  publishAgentRelease: cap("publish"),
  downloadAgentRelease: open,
  deleteAgentRelease: cap("publish"),
  getRollout: fleet,
  setRollout: fleet,
  startAgentWaveRollout: fleet,
  // ---- notifications to the people at the PCs: targets and acknowledgements span the fleet ------------
  createNotification: fleet,
  listNotifications: fleet,
  getNotification: fleet,
  getNotificationAckStatus: fleet,
  withdrawNotification: fleet,
};
