/** The HTTP contract: the route table, its schemas, the typed client and the helpers around them. */
export * from "./api-error.js";
export * from "./cli-exit.js";
export * from "./client.js";
export { HTTP_METHODS, type Access, type BinaryBody, type BinaryResponse, type BodyDescriptor, type EmptyResponse, type FieldsSchema, type HttpMethod, type JsonBody, type JsonResponse, type ResponseDescriptor, type RouteDef, type TextResponse, type WebSocketResponse, type YamlBody } from "./descriptors.js";
export * from "./path.js";
export * from "./requests.js";
export * from "./responses.js";
export * from "./routes.js";
export * from "./types.js";
export * from "./websocket.js";
