export * from "./api.js";
export * from "./duration.js";
export * from "./errors.js";
export * from "./exit-codes.js";
export * from "./ids.js";
export * from "./manifest.js";
export * from "./messages.js";
export * from "./subjects.js";
