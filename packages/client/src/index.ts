export * from "./security.js";
export * from "./bridge.js";
export * from "./server.js";
export * from "./config.js";
export * from "./platform/posix.js";
export * from "./platform/windows.js";
