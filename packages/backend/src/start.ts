/** Wires everything together: NATS → bootstrap → DB → audit → executions → projectors → HTTP. `close()` undoes it in reverse. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { openAgentGroups } from "./agent-groups.js";
import { openAgentsStore } from "./agents/store.js";
import { buildApp } from "./app.js";
import { startAudit } from "./audit/index.js";
import { openAuditOutboxStore } from "./audit/outbox-store.js";
import { DEFAULT_EXEC_MAX_AGE_MS, bootstrapWhenReady } from "./bootstrap.js";
import { checkStaticToken, isPostgresUrl, sqlitePath, type BackendConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { openFleetStore } from "./db/fleet-store.js";
import { openPerfStore } from "./db/perf-store.js";
import { defaultWebRoot } from "./default-web-root.js";
import { natsExecBroker } from "./executions/broker.js";
import { createExecutions } from "./executions/index.js";
import { openExecutionsStore } from "./executions/sqlite-store.js";
import { targetResolver } from "./executions/targets.js";
import { DEFAULT_APPROVAL_TTL_MS } from "./governance/deps.js";
import { openGovernance } from "./governance/open.js";
import { openPermGroupStore } from "./governance/perm-group-store.js";
import { createPermGroups } from "./governance/perm-groups.js";
import { createScopeResolver } from "./governance/scope.js";
import { sqlScopeLookups } from "./governance/scope-hook.js";
import { createOidcProvider } from "./governance/sso/provider.js";
import { createSso } from "./governance/sso/sso.js";
import { openSsoStore } from "./governance/sso/store.js";
import type { RouteEntry } from "./governance/policy.js";
import { createJobFactsProjector } from "./inventory/job-facts.js";
import { openCatalog } from "./jobs/catalog.js";
import { connectNats, NATS_TIMEOUT_MS } from "./nats.js";
import { credsAuthenticator } from "./nats-auth/creds.js";
import { startEnrollment } from "./enrollment/index.js";
import { AUTH_FILES } from "./nats-auth/material.js";
import { startPerfService } from "./perf/perf-service.js";
import type { RunningProjector } from "./projector/durable.js";
import { startHeartbeatProjector } from "./projector/heartbeats.js";
import { startInventoryProjector } from "./projector/inventory.js";
import { rebuildFromStreams, rebuildReason } from "./projector/rebuild.js";
import { startResultsProjector } from "./projector/results.js";
import { startStartedProjector } from "./projector/started.js";
import { startEventsProjector } from "./events/projector.js";
import { startPresenceTracker } from "./events/presence.js";
import { openPresenceCandidates } from "./events/presence-candidates.js";
import { DEFAULT_EVENTS_RETENTION_DAYS, startEventsRetention } from "./events/retention.js";
import { openEventsStore } from "./events/store.js";
import { openResultsStore } from "./results/store.js";
import { commandKeysDir } from "./signing/dir.js";
import { openCommandSigner } from "./signing/keys.js";
import { publishCommandKeys } from "./signing/publish-keys.js";
import { sealer } from "./signing/seal.js";
import { openScheduleDefs } from "./schedules/defs.js";
import { openFiresStore } from "./schedules/fires-store.js";
import { createSchedules } from "./schedules/index.js";
import { openOrderPublisher } from "./schedules/orders.js";
import { openFreeze } from "./freeze/index.js";
import { createRollouts } from "./rollouts/index.js";
import { configKeys, rolloutStartSchema } from "@kanade/protocol";
import { setTargetVersion } from "./agents/target-version.js";
import { listReleases } from "./api/agent-releases.js";
import { openRolloutsStore } from "./rollouts/store.js";
import { createCompliance } from "./compliance/index.js";
import { openComplianceStore } from "./compliance/store.js";
import { createWebhookNotifier } from "./compliance/webhook.js";
import { isOnline } from "./agents/online.js";
import { purgeExecCommands } from "./executions/publish.js";
import { serveKlpRequests } from "./klp/responder.js";
import { createSupportBundles, openSupportBundleStore } from "./support/index.js";
import { createNotifications, openNotificationStore, restoreNotifications } from "./notifications/index.js";
import { startNotificationProjector } from "./projector/notifications.js";
import { openDynamicGroups } from "./groups/open.js";

export interface RunningBackend {
  readonly url: string;
  readonly port: number;
  /** Every registered route (method + pattern), e.g. for the role-matrix test. */
  readonly routes: readonly RouteEntry[];
  close(): Promise<void>;
}

/** The approval sweep runs this often at most; shorter approval lifetimes sweep proportionally faster. */
const EXPIRY_SWEEP_MS = 60_000;
/** How often due schedule fires are looked for, unless `schedule_tick` says otherwise. */
const DEFAULT_SCHEDULE_TICK_MS = 15_000;

/** Connects NATS (waiting for the broker, reconnecting forever), bootstraps, opens the DB, projects, listens. */
export async function startBackend(config: BackendConfig, deps: { log?: Logger; clock?: () => Date } = {}): Promise<RunningBackend> {
  const log = deps.log ?? pino({ name: "kanade-backend", level: config.logLevel });
  // Before anything starts: a config handed over directly has not been through loadBackendConfig.
  checkStaticToken(config.staticToken, config.authDisabled);
  // Tests pass a clock they move (TOTP time steps); sessions and tokens keep the real time.
  const clock = deps.clock ?? ((): Date => new Date());
  // Undo steps run in reverse if a later step fails, so a half-started backend leaves nothing behind.
  const undo: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      await step().catch((err: unknown) => log.warn({ err }, "error while shutting down"));
    }
    undo.length = 0;
  };
  try {
    log.info({ nats_url: config.natsUrl, replicas: config.natsReplicas ?? 1 }, "connecting to NATS");
    const nats = await connectNats({
      url: config.natsUrl,
      ...(config.natsToken ? { token: config.natsToken } : {}),
      ...(config.natsAuthDir ? { authenticator: credsAuthenticator(join(config.natsAuthDir, AUTH_FILES.backendCreds), "KANADE_NATS_AUTH_DIR") } : {}),
      ...(config.natsCa ? { caFile: config.natsCa } : {}),
      log,
    });
    undo.push(() => nats.nc.drain());
    await bootstrapWhenReady(nats, log, {
      ...(config.execMaxAgeMs !== undefined ? { execMaxAgeMs: config.execMaxAgeMs } : {}),
      ...(config.natsReplicas !== undefined ? { replicas: config.natsReplicas } : {}),
    });
    const db = openDatabase(isPostgresUrl(config.databaseUrl) ? config.databaseUrl : sqlitePath(config.databaseUrl));
    undo.push(async () => db.close());
    const executionsStore = openExecutionsStore(db);
    const results = openResultsStore(db);
    const agents = openAgentsStore(db);
    const fleet = openFleetStore(db);
    const eventsStore = openEventsStore(db);
    const audit = await startAudit({ nats, outbox: openAuditOutboxStore(db), log, clock, ...(config.natsReplicas !== undefined ? { replicas: config.natsReplicas } : {}) });
    undo.push(() => audit.stop());
    const catalog = await openCatalog(nats, log);
    const groups = await openAgentGroups(nats, log);
    undo.push(() => groups.stop());
    const dynamic = await openDynamicGroups({ nats, db, groups, audit, log, clock, ...(config.groupSweepMs !== undefined ? { sweepMs: config.groupSweepMs } : {}) });
    undo.push(() => dynamic.stop());
    const rebuildDeps = { nats, executions: executionsStore, results, log };
    const rebuild = await rebuildReason(rebuildDeps, config.rebuild === true);
    if (rebuild) await rebuildFromStreams(rebuildDeps, rebuild);
    const governance = await openGovernance({ nats, db, config, log });
    undo.push(() => governance.stop());
    const permGroupStore = openPermGroupStore(db);
    const permGroups = createPermGroups({ store: permGroupStore, accounts: governance.deps.accounts, audit, clock });
    const scopes = { permGroups, resolver: createScopeResolver({ accounts: governance.deps.accounts, permGroups: permGroupStore, groups }), lookups: sqlScopeLookups(db) };
    const approvalTtlMs = config.approvalTtlMs ?? DEFAULT_APPROVAL_TTL_MS;
    const signer = openCommandSigner(commandKeysDir(config));
    // A command cannot outlive EXEC's max age anyway; its signature expires with it.
    const seal = sealer(signer, config.execMaxAgeMs ?? DEFAULT_EXEC_MAX_AGE_MS);
    await publishCommandKeys(nats, signer, log);
    const freeze = await openFreeze({ nats, audit, clock, log });
    const executions = createExecutions({
      store: executionsStore,
      broker: natsExecBroker(nats, seal),
      jobs: catalog,
      seal,
      resolveTargets: targetResolver({ members: (g) => groups.members(g), agentIds: () => agents.agentIds() }),
      audit,
      log,
      clock,
      approvalTtlMs,
      adhoc: { operators: config.adhocOperators ?? true, requireApproval: config.adhocRequireApproval ?? false },
      frozen: () => freeze.frozen(),
      approverGroupMembers: (g) => permGroups.members(g),
    });
    // Publishes or fails what a stopped backend left half-done before anything new comes in.
    const stopBackground = await executions.startBackground({ expirySweepMs: Math.min(EXPIRY_SWEEP_MS, Math.max(1_000, approvalTtlMs / 2)) });
    undo.push(async () => stopBackground());
    const enrolling = config.natsAuthDir
      ? await startEnrollment({ authDir: config.natsAuthDir, natsUrl: config.natsUrl, ...(config.agentNatsUrl ? { agentNatsUrl: config.agentNatsUrl } : {}), ...(config.agentServiceWrapper ? { agentServiceWrapper: config.agentServiceWrapper } : {}), ...(config.natsCa ? { natsCa: config.natsCa } : {}), nats, db, signer, groups, audit, log, clock })
      : undefined;
    if (enrolling) undo.push(() => enrolling.stop());
    const support = createSupportBundles({ store: openSupportBundleStore(db), audit, clock });
    const klpSub = serveKlpRequests({ nc: nats.nc, catalog, executions, support, log });
    undo.push(async () => klpSub.unsubscribe());
    const scheduleDefs = await openScheduleDefs(nats, log);
    undo.push(() => scheduleDefs.stop());
    const resolveTargets = targetResolver({ members: (g) => groups.members(g), agentIds: () => agents.agentIds() });
    const notificationStore = openNotificationStore(db);
    const notifications = createNotifications({
      store: notificationStore,
      publish: async (subject, message, msgId) => void (await nats.js.publish(subject, JSON.stringify(message), { msgID: msgId, timeout: NATS_TIMEOUT_MS })),
      resolveTargets,
      audit,
      log,
      clock,
    });
    if (rebuild) await restoreNotifications(nats, notificationStore, log);
    await notifications.republish();
    const rollouts = createRollouts({
      store: openRolloutsStore(db),
      executions,
      agentUpdates: {
        isPublished: async (version) => (await listReleases({ nats })).some((r) => r.version === version),
        agents: () => agents.listAgents(),
        setTargetVersion: (pcs, version, jitter) => setTargetVersion(nats, pcs.map(configKeys.pc), version, jitter),
      },
      jobExists: async (id) => (await catalog.get(id)) !== undefined,
      resolveTargets,
      members: (g) => groups.members(g),
      frozen: () => freeze.frozen(),
      audit,
      log,
      clock,
    });
    const stopRollouts = rollouts.startBackground({ tickMs: config.scheduleTickMs ?? DEFAULT_SCHEDULE_TICK_MS });
    undo.push(async () => stopRollouts());
    const schedules = createSchedules({
      defs: scheduleDefs,
      orders: await openOrderPublisher(nats, { jobs: catalog, sign: (kind, message) => signer.sign(kind, message), activeKid: () => signer.list().find((k) => k.status === "active")?.kid, log, clock }),
      fires: openFiresStore(db),
      executions,
      startRollout: async (caller, s, rolloutId) => {
        const body = rolloutStartSchema.parse({ job: s.job, target: s.target, ...s.rollout, ...(s.jitter ? { jitter: s.jitter } : {}) });
        await rollouts.start(caller, body, rolloutId);
      },
      rolloutExecs: (id) => rollouts.execsOf(id),
      execExists: async (id) => (await executionsStore.get(id)) !== undefined,
      withdraw: async (id) => {
        const e = await executionsStore.get(id);
        if (e) await purgeExecCommands(nats, id, e.target, log);
      },
      jobs: catalog,
      resolveTargets,
      online: async () => {
        const now = clock();
        return new Map((await agents.listAgents()).map((a) => [a.pc_id, isOnline(a, now)]));
      },
      held: () => freeze.frozen(),
      resendAfterMs: config.execMaxAgeMs ?? DEFAULT_EXEC_MAX_AGE_MS,
      audit,
      log,
      clock,
    });
    const stopSchedules = schedules.startBackground({ tickMs: config.scheduleTickMs ?? DEFAULT_SCHEDULE_TICK_MS });
    undo.push(async () => stopSchedules());
    const jobFacts = createJobFactsProjector({ catalog, fleet, log });
    const notifier = createWebhookNotifier({ audit, log, clock });
    undo.push(async () => notifier.stop());
    const compliance = createCompliance({ store: openComplianceStore(db), jobs: catalog, notifier, clock });
    const heartbeats = startHeartbeatProjector({ nats, store: agents, log, onStored: (hbs) => dynamic.materializer.heartbeats(hbs) });
    const projectors: RunningProjector[] = [
      await startResultsProjector({ nats, store: results, log, beforeInsert: async (rs) => {
        dynamic.materializer.touched(await jobFacts.project(rs), "jobFacts");
        await compliance.observe(rs);
      }, afterInsert: (rs) => executions.resultsStored(rs.map((r) => r.exec_id)) }),
      await startInventoryProjector({ nats, fleet, log, onProjected: (pcs) => dynamic.materializer.touched(pcs, "inventory") }),
      await startStartedProjector({ nats, store: results, log }),
      heartbeats,
      await startEventsProjector({ nats, store: eventsStore, log, clock }),
      await startNotificationProjector({ nats, store: notificationStore, log }),
    ];
    undo.push(() => Promise.all(projectors.map((p) => p.stop())));
    const presence = startPresenceTracker({ store: eventsStore, candidates: openPresenceCandidates(db), clock, log }, config.presenceTickMs);
    undo.push(() => presence.stop());
    const retention = startEventsRetention({ store: eventsStore, retentionDays: config.eventsRetentionDays ?? DEFAULT_EVENTS_RETENTION_DAYS, clock, log });
    undo.push(() => retention.stop());
    const webRoot = config.webRoot ?? defaultWebRoot();
    const perf = await startPerfService({ nats, store: openPerfStore(db), log, retentionMs: config.perfRetentionMs, liveLeaseMs: config.perfLiveLeaseMs });
    undo.push(() => perf.stop());
    const app = await buildApp({
      nats,
      executions,
      signer,
      results,
      agents,
      catalog,
      groups,
      fleet,
      perf,
      audit,
      log,
      clock,
      governance: governance.deps,
      scopes,
      ...(config.oidc
        ? {
            sso: createSso({
              config: config.oidc,
              provider: createOidcProvider(config.oidc),
              store: openSsoStore(db),
              accounts: governance.deps.accounts,
              tokens: governance.deps.tokens,
              audit,
              log,
              clock,
              permGroups: permGroupStore,
            }),
          }
        : {}),
      ...(enrolling ? { enrollment: enrolling.enrollment } : {}),
      ...(config.hideAgentsAfterMs !== undefined ? { hideAgentsAfterMs: config.hideAgentsAfterMs } : {}),
      schedules,
      freeze,
      compliance,
      rollouts,
      support,
      tags: dynamic.tags,
      dynamicGroups: dynamic.service,
      heartbeatStats: () => heartbeats.stats(),
      events: eventsStore,
      notifications,
      config: {
        authDisabled: config.authDisabled,
        ...(config.staticToken ? { staticToken: config.staticToken } : {}),
        ...(webRoot ? { webRoot } : {}),
        ...(config.httpsCert && config.httpsKey ? { https: { cert: readFileSync(config.httpsCert, "utf8"), key: readFileSync(config.httpsKey, "utf8") } } : {}),
      },
    });
    undo.push(() => app.close());
    await app.listen({ host: config.bindHost, port: config.bindPort });
    const addr = app.server.address();
    const port = typeof addr === "object" && addr ? addr.port : config.bindPort;
    const host = config.bindHost.includes(":") ? `[${config.bindHost}]` : config.bindHost;
    const url = `${config.httpsCert ? "https" : "http"}://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
    log.info({ url, auth: config.authDisabled ? "disabled" : "static-token" }, "kanade-backend listening");
    let closing: Promise<void> | undefined;
    return { url, port, routes: app.kanadeRoutes, close: () => (closing ??= closeAll()) };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
