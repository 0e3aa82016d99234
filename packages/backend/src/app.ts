/** Builds the Fastify app from explicit dependencies; listening is the caller's job (tests use inject or port 0). */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import compress from "@fastify/compress";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { KanadeError, routeEntries } from "@kanade/protocol";
import type { AgentGroups } from "./agent-groups.js";
import type { AgentsStore } from "./agents/store.js";
import { accountRoutes } from "./api/accounts.js";
import { agentRpcRoutes } from "./api/agent-rpc.js";
import { agentReleaseRoutes } from "./api/agent-releases.js";
import { agentRoutes } from "./api/agents.js";
import { auditRoutes } from "./api/audit.js";
import { eventsRoutes } from "./api/events.js";
import type { EventsStore } from "./events/store.js";
import { supportBundleRoutes } from "./api/support-bundles.js";
import { notificationRoutes } from "./api/notifications.js";
import type { Notifications } from "./notifications/index.js";
import type { SupportBundles } from "./support/index.js";
import { authRoutes } from "./api/auth.js";
import { twoFactorRoutes } from "./api/two-factor.js";
import { authMethodRoutes, ssoRoutes } from "./api/sso.js";
import type { Sso } from "./governance/sso/sso.js";
import { invitationRoutes } from "./api/invitations.js";
import { callerOf } from "./api/caller.js";
import { commandKeyRoutes } from "./api/command-keys.js";
import { enrollmentRoutes, installerRoutes } from "./api/enrollment.js";
import { configRoutes } from "./api/config.js";
import { execRoutes } from "./api/exec.js";
import { runRoutes } from "./api/run.js";
import { executionRoutes } from "./api/executions.js";
import { groupRoutes } from "./api/groups.js";
import { groupDefinitionRoutes } from "./api/group-definitions.js";
import { tagRoutes } from "./api/tags.js";
import type { DynamicGroups } from "./groups/index.js";
import type { AgentTags } from "./groups/tags.js";
import { healthRoutes } from "./api/health.js";
import { inventoryRoutes } from "./api/inventory.js";
import { jetstreamRoutes } from "./api/jetstream.js";
import { jobRoutes } from "./api/jobs.js";
import { perfRoutes } from "./api/perf.js";
import { appPackageRoutes } from "./api/objects.js";
import { resultRoutes } from "./api/results.js";
import { rolloutRoutes } from "./api/rollout.js";
import { scheduleRoutes } from "./api/schedules.js";
import { freezeRoutes } from "./api/freeze.js";
import { complianceRoutes } from "./api/compliance.js";
import { waveRolloutRoutes } from "./api/rollouts.js";
import type { Rollouts } from "./rollouts/index.js";
import type { Compliance } from "./compliance/index.js";
import type { Freeze } from "./freeze/index.js";
import type { Audit } from "./audit/index.js";
import { registerAuth, type AuthConfig } from "./auth.js";
import type { FleetStore } from "./db/fleet-store.js";
import type { RouteDeps } from "./deps.js";
import { registerErrorHandling } from "./errors.js";
import type { Executions } from "./executions/index.js";
import { sessionResolver } from "./governance/accounts.js";
import type { PermGroups } from "./governance/perm-groups.js";
import type { ScopeResolver } from "./governance/scope.js";
import { registerScopes, type ScopeLookups } from "./governance/scope-hook.js";
import { permGroupRoutes } from "./api/perm-groups.js";
import type { Enrollment } from "./enrollment/service.js";
import type { GovernanceDeps } from "./governance/deps.js";
import type { Catalog } from "./jobs/catalog.js";
import { registerMetrics } from "./metrics.js";
import type { HeartbeatStats } from "./projector/heartbeats.js";
import type { Nats } from "./nats.js";
import type { PerfService } from "./perf/perf-service.js";
import type { ResultsStore } from "./results/store.js";
import type { Schedules } from "./schedules/index.js";
import type { CommandSigner } from "./signing/keys.js";
import { registerWebRoot } from "./web-root.js";
import type { WebFiles } from "./web-files.js";

export interface AppDeps {
  nats: Nats;
  executions: Executions;
  signer: CommandSigner;
  results: ResultsStore;
  agents: AgentsStore;
  catalog: Catalog;
  groups: AgentGroups;
  audit: Audit;
  /** Inventory and job facts; routes under /api/inventory are registered only when given. */
  fleet?: FleetStore;
  /** Host perf ingest and live sessions; without it the perf routes are not registered. */
  perf?: PerfService;
  log: Logger;
  config: AuthConfig & { webRoot?: string | WebFiles; https?: { cert: string; key: string } };
  clock?: () => Date;
  /** Accounts, sessions and the audit log API; without it only the static token authenticates. */
  governance?: GovernanceDeps;
  /** Single sign-on with an OpenID Connect provider; the /api/auth/oidc routes are registered only when given. */
  sso?: Sso;
  /** Join requests and broker credentials; absent when the broker is not locked down (no `nats init` material). */
  enrollment?: Enrollment;
  /** Schedules; the /api/schedules routes are registered only when given. */
  schedules?: Schedules;
  /** Support bundles sent from PCs; /api/support-bundles is registered only when given. */
  support?: SupportBundles;
  /** Notifications to the people at the PCs; /api/notifications is registered only when given. */
  notifications?: Notifications;
  /** The fleet freeze; /api/freeze is registered only when given. */
  freeze?: Freeze;
  /** Compliance checks; /api/compliance is registered only when given. */
  compliance?: Compliance;
  /** Rollout waves; /api/rollouts is registered only when given. */
  rollouts?: Rollouts;
  /** The event timeline; /api/events is registered only when given. */
  events?: Pick<EventsStore, "listEvents">;
  /** Agents not heard from for this long are left out of agent lists (`agents_hide_after`); unset: none are. */
  hideAgentsAfterMs?: number;
  /** Operator-set tags; the tag routes are registered only when given. */
  tags?: AgentTags;
  /** Dynamic group definitions; their routes are registered only when given. */
  dynamicGroups?: DynamicGroups;
  /** What this backend's heartbeat projector took, for /metrics. */
  heartbeatStats?: () => HeartbeatStats;
  /** Permission groups and their enforcement; without them nobody is scoped and /api/perm-groups is absent. */
  scopes?: { permGroups: PermGroups; resolver: ScopeResolver; lookups: ScopeLookups };
}

/** Answers smaller than this are sent as they are: compressing them costs more than it saves. */
const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * JSON lists of 3,000 agents shrink ~10x. gzip/deflate only: brotli costs more CPU than a busy backend wants.
 * Byte streams (downloads, raw output) are sent as they are: they carry a content-length that clients show
 * progress from and check against, and packages are compressed already.
 */
async function registerCompression(app: FastifyInstance): Promise<void> {
  const streamed = new Set(routeEntries.filter(([, r]) => r.response.kind === "binary").map(([, r]) => `${r.method} ${r.path}`));
  // Runs before @fastify/compress's own onRoute hook (registered after it), which honours `config.compress`.
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.some((m) => streamed.has(`${m} ${route.url}`))) route.config = { ...route.config, compress: false };
  });
  // Awaited: routes registered after it must see its onRoute hook.
  await app.register(compress, { global: true, threshold: COMPRESS_THRESHOLD_BYTES, encodings: ["gzip", "deflate"] });
}

/** Manifests carry inline scripts; allow them to be larger than Fastify's 1 MiB default. */
const BODY_LIMIT = 8 * 1024 * 1024;

/** Browsers and scripts often send `content-type: application/json` with no body on POSTs like kill. */
function acceptEmptyJson(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new KanadeError("BAD_REQUEST", `body is not valid JSON: ${(err as Error).message}`, { cause: err }), undefined);
    }
  });
}

function httpsServer(tls: { cert: string; key: string }) {
  return (handler: (req: IncomingMessage, res: ServerResponse) => void): HttpServer => createHttpsServer(tls, handler) as unknown as HttpServer;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.log;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    // Per-request logs would drown the bench's polling; routes log what matters with ids as fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Object names may be 128 characters (plus a version); Fastify's default of 100 would answer 404.
    maxParamLength: 512,
    // HTTPS when given a certificate; Fastify's types follow the http server, which the HTTPS one serves the same way.
    ...(deps.config.https ? { serverFactory: httpsServer(deps.config.https) } : {}),
  });
  const clock = deps.clock ?? (() => new Date());
  const routeDeps: RouteDeps = {
    nats: deps.nats,
    agents: deps.agents,
    results: deps.results,
    executions: deps.executions,
    signer: deps.signer,
    catalog: deps.catalog,
    groups: deps.groups,
    auditLog: deps.audit,
    audit: (req, action, target, payload) => deps.audit.record(callerOf(req), { action, target, ...(payload ? { payload } : {}) }),
    log: deps.log,
    clock,
    ...(deps.governance ? { governance: deps.governance } : {}),
    ...(deps.hideAgentsAfterMs !== undefined ? { hideAgentsAfterMs: deps.hideAgentsAfterMs } : {}),
    ...(deps.scopes ? { permGroups: deps.scopes.permGroups } : {}),
  };
  registerErrorHandling(app);
  acceptEmptyJson(app);
  await registerCompression(app);
  const sso = deps.sso;
  const ssoUsable = sso ? (sessionId: string) => sso.sessionUsable(sessionId) : undefined;
  registerAuth(app, deps.config, deps.governance ? sessionResolver(deps.governance.accounts, deps.governance.tokens, deps.governance.totp, ssoUsable) : undefined);
  // Right after authentication, before any route: its hooks must see every route.
  if (deps.scopes) registerScopes(app, deps.scopes);
  // Metrics first, so its hooks see every route registered after it.
  const dynamic = deps.dynamicGroups;
  registerMetrics(app, routeDeps, { ...(dynamic ? { groups: () => dynamic.stats() } : {}), ...(deps.heartbeatStats ? { heartbeats: deps.heartbeatStats } : {}) });
  registerRoutes(app, routeDeps, deps);
  if (deps.config.webRoot) registerWebRoot(app, deps.config.webRoot);
  await app.ready();
  return app;
}

/** Every API route, in one place. */
function registerRoutes(app: FastifyInstance, routeDeps: RouteDeps, deps: AppDeps): void {
  if (deps.governance) {
    authRoutes(app, routeDeps, deps.governance);
    accountRoutes(app, routeDeps, deps.governance);
    twoFactorRoutes(app, routeDeps, deps.governance);
    invitationRoutes(app, routeDeps, deps.governance);
    auditRoutes(app, deps.governance);
    authMethodRoutes(app, deps.sso);
    if (deps.sso) ssoRoutes(app, deps.sso);
  }
  if (deps.scopes) permGroupRoutes(app, deps.scopes.permGroups);
  if (deps.support) supportBundleRoutes(app, deps.support);
  if (deps.notifications) notificationRoutes(app, deps.nats, deps.notifications);
  jetstreamRoutes(app, routeDeps);
  healthRoutes(app, routeDeps);
  jobRoutes(app, routeDeps);
  execRoutes(app, routeDeps);
  runRoutes(app, routeDeps);
  executionRoutes(app, routeDeps);
  resultRoutes(app, routeDeps);
  // A decommissioned PC leaves no inventory, facts or fleet-perf row behind.
  const onForget = async (pcId: string): Promise<void> => {
    await deps.fleet?.forgetPc(pcId);
    deps.perf?.ingest.forget(pcId);
  };
  agentRoutes(app, routeDeps, {
    onForget,
    ...(deps.fleet ? { addresses: deps.fleet.addresses } : {}),
    ...(deps.perf ? { latestPerf: (pc: string) => deps.perf?.ingest.latestOf(pc) } : {}),
    ...(deps.tags ? { tags: deps.tags } : {}),
  });
  if (deps.tags) tagRoutes(app, routeDeps, deps.tags);
  if (deps.dynamicGroups) groupDefinitionRoutes(app, deps.dynamicGroups);
  agentRpcRoutes(app, routeDeps);
  if (deps.fleet) inventoryRoutes(app, routeDeps, deps.fleet);
  groupRoutes(app, routeDeps, deps.dynamicGroups);
  configRoutes(app, routeDeps);
  if (deps.perf) perfRoutes(app, routeDeps, deps.perf);
  appPackageRoutes(app, routeDeps);
  agentReleaseRoutes(app, routeDeps);
  rolloutRoutes(app, routeDeps);
  commandKeyRoutes(app, routeDeps);
  enrollmentRoutes(app, deps.enrollment);
  installerRoutes(app, routeDeps, deps.enrollment);
  if (deps.schedules) scheduleRoutes(app, routeDeps, deps.schedules);
  if (deps.freeze) freezeRoutes(app, routeDeps, deps.freeze);
  if (deps.compliance) complianceRoutes(app, deps.compliance);
  if (deps.rollouts) waveRolloutRoutes(app, deps.rollouts);
  if (deps.events) eventsRoutes(app, deps.events);
}
