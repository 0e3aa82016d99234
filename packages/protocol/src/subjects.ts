/** Every NATS subject kanade uses is built here and nowhere else (SPEC §2). */
export const subjects = {
  commandsAll: (): string => "commands.all",
  commandsGroup: (group: string): string => `commands.group.${group}`,
  commandsPc: (pcId: string): string => `commands.pc.${pcId}`,
  kill: (execId: string): string => `kill.${execId}`,
  killWildcard: (): string => "kill.*",
  result: (execId: string, pcId: string): string => `results.${execId}.${pcId}`,
  resultsAll: (): string => "results.>",
  started: (execId: string, pcId: string): string => `events.started.${execId}.${pcId}`,
  startedAll: (): string => "events.started.>",
  /** A PC's timeline event (events.ts): agent start/stop, boot, logon, script events. */
  pcEvent: (pcId: string, kind: string): string => `events.pc.${pcId}.${kind}`,
  pcEventsAll: (): string => "events.pc.>",
  heartbeat: (pcId: string): string => `heartbeat.${pcId}`,
  heartbeatAll: (): string => "heartbeat.*",
  hostPerf: (pcId: string): string => `host_perf.${pcId}`,
  hostPerfAll: (): string => "host_perf.*",
  processPerf: (pcId: string): string => `process_perf.${pcId}`,
  processPerfAll: (): string => "process_perf.*",
  inventory: (pcId: string, category: InventoryCategory): string => `inventory.${pcId}.${category}`,
  inventoryAll: (): string => "inventory.>",
  agentPing: (pcId: string): string => `agents.${pcId}.ping`,
  agentLogs: (pcId: string): string => `agents.${pcId}.logs`,
  agentPerfLive: (pcId: string): string => `agents.${pcId}.perf.live`,
  agentTail: (pcId: string): string => `agents.${pcId}.tail`,
  audit: (action: string): string => `audit.${action}`,
  auditAll: (): string => "audit.>",
  notificationsAll: (): string => "notifications.all",
  notificationsGroup: (group: string): string => `notifications.group.${group}`,
  notificationsPc: (pcId: string): string => `notifications.pc.${pcId}`,
  notificationAcked: (pcId: string, userId: string, notifId: string): string =>
    `events.notifications.acked.${pcId}.${userId}.${notifId}`,
  /** A notice reached a user's kanade-client (listed, subscribed or pushed). */
  notificationShown: (pcId: string, userId: string, notifId: string): string =>
    `events.notifications.shown.${pcId}.${userId}.${notifId}`,
  notificationEventsAll: (): string => "events.notifications.>",
  /** An agent's join request (request/reply), published with the enrollment credential. */
  enroll: (): string => "enroll.request",
  /** The inbox prefix of an enrolling agent: the enrollment credential may read nothing else. */
  enrollInboxPrefix: (): string => "_INBOX_enroll",
  /** Each agent's own inbox prefix, so no agent can read replies meant for another. */
  agentInboxPrefix: (pcId: string): string => `_INBOX.${pcId}`,
  /** An agent asks the backend for a local user's catalog, run or kill (KLP, request/reply). */
  klpJobs: (pcId: string, op: "list" | "execute" | "kill"): string => `klp.${pcId}.jobs.${op}`,
  klpJobsAll: (): string => "klp.*.jobs.*",
  /** An agent hands the backend a local user's support bundle (KLP, request/reply). */
  klpSupport: (pcId: string): string => `klp.${pcId}.support.upload`,
  klpSupportAll: (): string => "klp.*.support.upload",
} as const;

export const INVENTORY_CATEGORIES = ["hw", "sw", "net", "os"] as const;
export type InventoryCategory = (typeof INVENTORY_CATEGORIES)[number];

/** Splits `results.<exec_id>.<pc_id>` / `events.started.<exec_id>.<pc_id>` back into ids. */
export function parseExecPcSubject(subject: string): { execId: string; pcId: string } | undefined {
  const parts = subject.split(".");
  const tail = parts.slice(-2);
  if (tail.length !== 2 || !tail[0] || !tail[1]) return undefined;
  return { execId: tail[0], pcId: tail[1] };
}

export const STREAMS = {
  EXEC: "EXEC",
  RESULTS: "RESULTS",
  EVENTS: "EVENTS",
  INVENTORY: "INVENTORY",
  AUDIT: "AUDIT",
  NOTIFICATIONS: "NOTIFICATIONS",
} as const;
export type StreamName = (typeof STREAMS)[keyof typeof STREAMS];

export const BUCKETS = {
  jobs: "jobs",
  jobsYaml: "jobs_yaml",
  // id → {version: {digest, require_approval, at, by}}: every content a version number ever carried.
  jobVersions: "job_versions",
  scriptCurrent: "script_current",
  scriptStatus: "script_status",
  agentGroups: "agent_groups",
  // pc_id → {"tags":{k:v}}: operator-set tags, changed only by compare-and-set on the revision.
  agentTags: "agent_tags",
  agentConfig: "agent_config",
  schedules: "schedules",
  // schedule id → the signed standing order of a `runs_on: agent` schedule (schedule-order.ts); agents only read it.
  scheduleOrders: "schedule_orders",
  fleetConfig: "fleet_config",
  notificationsRead: "notifications_read",
} as const;
export type BucketName = (typeof BUCKETS)[keyof typeof BUCKETS];

export const OBJECT_STORES = {
  scripts: "scripts",
  appPackages: "app_packages",
  agentReleases: "agent_releases",
  resultOutput: "result_output",
} as const;
export type ObjectStoreName = (typeof OBJECT_STORES)[keyof typeof OBJECT_STORES];

export const SCRIPT_STATUS = { ACTIVE: "ACTIVE", REVOKED: "REVOKED" } as const;
export type ScriptStatus = (typeof SCRIPT_STATUS)[keyof typeof SCRIPT_STATUS];

/** Keys of the `agent_config` bucket. */
export const configKeys = {
  global: (): string => "global",
  group: (group: string): string => `groups.${group}`,
  pc: (pcId: string): string => `pcs.${pcId}`,
} as const;

/** Keys of the `result_output` object store. */
export const resultOutputKey = (resultId: string, stream: "stdout" | "stderr"): string => `${resultId}/${stream}`;
/**
 * Chunks of a `result_output` object: an agent writes them under its own pc_id (`<pc_id>.<nuid>`, two
 * tokens), the only chunk subjects the broker lets it publish, so the chunk id tells who wrote them.
 */
export const resultOutputChunkSubject = (chunkId: string): string => `$O.${OBJECT_STORES.resultOutput}.C.${chunkId}`;
/** The chunk id prefix every object a PC writes carries. */
export const resultOutputChunkOwner = (pcId: string): string => `${pcId}.`;
/** The metadata record of a `result_output` object, as the object store client names it (base64url, padded). */
export const resultOutputMetaSubject = (name: string): string =>
  `$O.${OBJECT_STORES.resultOutput}.M.${btoa(String.fromCharCode(...new TextEncoder().encode(name))).replace(/\+/g, "-").replace(/\//g, "_")}`;
