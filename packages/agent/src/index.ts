export { loadAgentConfig, defaultConfigPath, defaultDataDir, type AgentConfig } from "./config.js";
export { startAgent, type RunningAgent } from "./agent.js";
export { startSimulatedFleet, simulatedPcId, type SimulatedFleet, type SimulatedFleetOptions } from "./simulate/fleet.js";
export { AGENT_VERSION } from "./version.js";
export { LogRing } from "./log-ring.js";
export { createLogger } from "./log.js";
export type { Collector } from "./inventory/collect.js";
export type { StartAgentDeps } from "./agent.js";
export { putOwnObject } from "./own-object-writer.js";
