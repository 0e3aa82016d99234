/**
 * The vocabulary of the route table: what a route takes (params, query, body) and answers, and who may
 * call it. Descriptors are plain data so the backend can register from them and clients call through them.
 */
import type { z } from "zod";
import type { ErrorCode } from "../errors.js";
import type { Role } from "../governance.js";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** `public`: no token needed. Otherwise the least role that may call the route (roles nest). */
export type Access = "public" | Role;

/** A JSON body, parsed with `schema`; a body that fails it is answered with `invalid` (default BAD_REQUEST). */
export interface JsonBody<S extends z.ZodType = z.ZodType> {
  kind: "json";
  schema: S;
  invalid?: ErrorCode;
}
/** YAML text (`application/yaml`); the route also accepts the same document as JSON. */
export interface YamlBody {
  kind: "yaml";
  invalid?: ErrorCode;
}
/** A raw byte stream of known length (`content-length`), any content type; never buffered whole. */
export interface BinaryBody {
  kind: "binary";
}
export type BodyDescriptor = JsonBody | YamlBody | BinaryBody;

/** A JSON answer with its usual success status; `otherStatuses` lists the other 2xx it may use. */
export interface JsonResponse<S extends z.ZodType = z.ZodType> {
  kind: "json";
  schema: S;
  status: number;
  otherStatuses?: readonly number[];
}
/** A text answer read whole (YAML export, Prometheus metrics). */
export interface TextResponse {
  kind: "text";
  contentType: string;
}
/** A byte stream the caller reads as it arrives (downloads, raw result output). */
export interface BinaryResponse {
  kind: "binary";
  contentType: string;
}
/** A WebSocket upgrade; each message is one JSON frame matching `frame`. */
export interface WebSocketResponse<S extends z.ZodType = z.ZodType> {
  kind: "websocket";
  frame: S;
}
/** No body (204-style answers). */
export interface EmptyResponse {
  kind: "empty";
  status: number;
}
export type ResponseDescriptor = JsonResponse | TextResponse | BinaryResponse | WebSocketResponse | EmptyResponse;

/** An object schema for path params or the query; its keys are the names. */
export type FieldsSchema = z.ZodObject;

export interface RouteDef {
  method: HttpMethod;
  /** Fastify-style pattern: `/api/jobs/:id`. */
  path: string;
  summary: string;
  access: Access;
  /** One key per `:param` in `path`, and no other. */
  params?: FieldsSchema;
  query?: FieldsSchema;
  body?: BodyDescriptor;
  response: ResponseDescriptor;
  /** Callable by an account that must change its password before anything else. */
  whilePasswordChangeRequired?: true;
  /** Callable by an account whose role requires TOTP before it has enrolled (the enrolment routes). */
  whileTotpEnrollmentRequired?: true;
}

export const jsonBody = <S extends z.ZodType>(schema: S, invalid?: ErrorCode): JsonBody<S> => ({ kind: "json", schema, ...(invalid ? { invalid } : {}) });
export const yamlBody = (invalid?: ErrorCode): YamlBody => ({ kind: "yaml", ...(invalid ? { invalid } : {}) });
export const binaryBody: BinaryBody = { kind: "binary" };

export function json<S extends z.ZodType>(schema: S, status = 200, otherStatuses?: readonly number[]): JsonResponse<S> {
  return { kind: "json", schema, status, ...(otherStatuses ? { otherStatuses } : {}) };
}
export const text = (contentType: string): TextResponse => ({ kind: "text", contentType });
export const binary = (contentType = "application/octet-stream"): BinaryResponse => ({ kind: "binary", contentType });
export const websocket = <S extends z.ZodType>(frame: S): WebSocketResponse<S> => ({ kind: "websocket", frame });
export const empty = (status = 204): EmptyResponse => ({ kind: "empty", status });
