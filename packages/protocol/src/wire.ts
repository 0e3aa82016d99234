/**
 * The wire contract alone — subjects, message schemas, ids, durations, exit and error codes — without the
 * HTTP route table or the manifest parser (and the yaml library it pulls in). The agent imports this entry
 * (`@kanade/protocol/wire`): it never parses manifests or calls the API, and an idle agent's memory counts.
 */
export * from "./config-resolve.js";
export * from "./duration.js";
export * from "./nats-urls.js";
export * from "./errors.js";
export * from "./exit-codes.js";
export * from "./fleet.js";
export * from "./ids.js";
export * from "./messages.js";
export * from "./perf-live.js";
export * from "./releases.js";
export * from "./signing.js";
export * from "./canonical-json.js";
export * from "./subjects.js";
export * from "./enrollment.js";
export * from "./run-tail.js";
export * from "./support-bundles.js";
export * from "./events.js";
export * from "./notification-schema.js";
// Agent-side schedules: the standing orders, their rules and the freeze an agent last saw (no YAML parser).
export * from "./schedule-schema.js";
export * from "./schedule-time.js";
export * from "./schedule-plan.js";
export * from "./schedule-order.js";
export * from "./freeze.js";
export * from "./windows-registry.js";
