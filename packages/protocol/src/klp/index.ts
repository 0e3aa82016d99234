/** KLP, the local protocol between kanade-client and the agent (SPEC §10). */
export * from "./frame.js";
export * from "./byte-queue.js";
export * from "./rpc.js";
export * from "./methods.js";
export * from "./backend-requests.js";
