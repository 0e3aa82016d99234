export { loadBackendConfig, type BackendConfig } from "./config.js";
export { startBackend, type RunningBackend } from "./start.js";
export { buildApp, type AppDeps } from "./app.js";
export { bootstrap, streamSpecs } from "./bootstrap.js";
export { connectNats, wrapConnection, type Nats } from "./nats.js";
export { openCatalog, type Catalog } from "./jobs/catalog.js";
export { openAgentGroups, type AgentGroups } from "./agent-groups.js";
export { RESULTS_DURABLE } from "./projector/results.js";
export { STARTED_DURABLE } from "./projector/started.js";
