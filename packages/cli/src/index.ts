export { clientConfigFromEnv, createCliApi, DEFAULT_BACKEND_URL, type CliApi, type ClientConfig } from "./api.js";
export { CliError, exitCodeFor, formatError, type CliErrorCode, type ExitCode } from "./errors.js";
export { buildProgram, runKanade, CLI_VERSION } from "./program.js";
export type { Deps } from "./deps.js";
export type { Io } from "./output.js";
