/** Builds the Fastify app from explicit dependencies; listening is the caller's job (tests use inject or port 0). */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { KanadeError } from "@kanade/protocol";
import type { AgentGroups } from "./agent-groups.js";
import { agentReleaseRoutes } from "./api/agent-releases.js";
import { agentRoutes } from "./api/agents.js";
import { execRoutes } from "./api/exec.js";
import { executionRoutes } from "./api/executions.js";
import { groupRoutes } from "./api/groups.js";
import { healthRoutes } from "./api/health.js";
import { jobRoutes } from "./api/jobs.js";
import { appPackageRoutes } from "./api/objects.js";
import { resultRoutes } from "./api/results.js";
import { rolloutRoutes } from "./api/rollout.js";
import { scriptRoutes } from "./api/scripts.js";
import { createAudit } from "./audit.js";
import { registerAuth, type AuthConfig } from "./auth.js";
import type { Store } from "./db/index.js";
import type { RouteDeps } from "./deps.js";
import { registerErrorHandling } from "./errors.js";
import type { Catalog } from "./jobs/catalog.js";
import type { Nats } from "./nats.js";
import { registerWebRoot } from "./web-root.js";

export interface AppDeps {
  nats: Nats;
  store: Store;
  catalog: Catalog;
  groups: AgentGroups;
  log: Logger;
  config: AuthConfig & { webRoot?: string };
  clock?: () => Date;
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

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.log;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    // Per-request logs would drown the bench's polling; routes log what matters with ids as fields.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
  });
  const clock = deps.clock ?? (() => new Date());
  const routeDeps: RouteDeps = {
    nats: deps.nats,
    store: deps.store,
    catalog: deps.catalog,
    groups: deps.groups,
    log: deps.log,
    clock,
    audit: createAudit({ nats: deps.nats, log: deps.log, clock }),
  };
  registerErrorHandling(app);
  acceptEmptyJson(app);
  registerAuth(app, deps.config);
  healthRoutes(app, routeDeps);
  jobRoutes(app, routeDeps);
  scriptRoutes(app, routeDeps);
  execRoutes(app, routeDeps);
  executionRoutes(app, routeDeps);
  resultRoutes(app, routeDeps);
  agentRoutes(app, routeDeps);
  groupRoutes(app, routeDeps);
  appPackageRoutes(app, routeDeps);
  agentReleaseRoutes(app, routeDeps);
  rolloutRoutes(app, routeDeps);
  if (deps.config.webRoot) registerWebRoot(app, deps.config.webRoot);
  await app.ready();
  return app;
}
