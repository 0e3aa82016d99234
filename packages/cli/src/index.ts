export { ApiClient, clientConfigFromEnv, DEFAULT_BACKEND_URL, type ClientConfig } from "./client.js";
export { CliError, exitCodeFor, formatError, type ExitCode } from "./errors.js";
export { buildProgram, runKanade, CLI_VERSION } from "./program.js";
export type { Deps } from "./deps.js";
export type { Io } from "./output.js";
