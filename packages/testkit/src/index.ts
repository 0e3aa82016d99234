export * from "./cli.js";
export * from "./nats-server.js";
export * from "./net.js";
export * from "./temp.js";
export * from "./wait.js";
export * from "./fleet.js";
export * from "./powershell-parse.js";
export * from "./fixtures.js";
