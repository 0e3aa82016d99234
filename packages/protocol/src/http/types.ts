/**
 * Types derived from the route table: what a client passes and gets back (`CallInput`, `CallResult`),
 * and what a server handler receives and returns (`RouteInput`, `RouteOutput`).
 */
import type { z } from "zod";
import type { Routes, RouteName } from "./routes.js";

type Def<K extends RouteName> = Routes[K];
type Empty = Record<never, never>;
/** True when every key of T is optional (so `{}` is a valid T). */
type AllOptional<T> = Empty extends T ? true : false;

/** Bytes to upload: a buffer, a web stream, or any async iterable of chunks (a Node `Readable`). */
export type UploadData = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
/** A binary upload: the bytes and their exact length, sent as `content-length`. */
export interface UploadBody {
  data: UploadData;
  size: number;
}

/** Path params a client gives (`{ id: "hello" }`), or undefined when the path has none. */
export type PathParams<K extends RouteName> = Def<K> extends { params: infer P extends z.ZodType } ? z.input<P> : undefined;

type QueryIn<K extends RouteName> = Def<K> extends { query: infer Q extends z.ZodType } ? z.input<Q> : undefined;

type BodyIn<K extends RouteName> = Def<K> extends { body: infer B }
  ? B extends { kind: "json"; schema: infer S extends z.ZodType }
    ? z.input<S>
    : B extends { kind: "yaml" }
      ? string
      : B extends { kind: "binary" }
        ? UploadBody
        : never
  : undefined;

type Part<Name extends string, T, Required extends boolean> = T extends undefined
  ? { [P in Name]?: undefined }
  : Required extends true
    ? { [P in Name]: T }
    : { [P in Name]?: T };

/**
 * What `client.call(name, input)` takes: `params` and `body` exactly when the route has them, `query`
 * when it has one with a required field (optional otherwise), and an optional abort `signal`.
 */
export type CallInput<K extends RouteName> = Part<"params", PathParams<K>, true> &
  Part<"query", QueryIn<K>, AllOptional<QueryIn<K>> extends true ? false : true> &
  Part<"body", BodyIn<K>, true> & { signal?: AbortSignal };

/** The call's arguments: the input may be left out when nothing in it is required. */
export type CallArgs<K extends RouteName> = Empty extends CallInput<K> ? [input?: CallInput<K>] : [input: CallInput<K>];

/** The answer of a response descriptor: JSON as its schema's output, text as a string, no body as undefined. */
type Answer<R, Stream> = R extends { kind: "json"; schema: infer S extends z.ZodType }
  ? z.output<S>
  : R extends { kind: "text" }
    ? string
    : R extends { kind: "empty" }
      ? undefined
      : Stream;

/** What a call resolves to: the parsed JSON, the text, or the `Response` of a stream to read. */
export type CallResult<K extends RouteName> = Answer<Def<K>["response"], Response>;

/** Routes answered over plain HTTP (every route but the WebSocket ones). */
export type CallableRouteName = { [K in RouteName]: Def<K>["response"] extends { kind: "websocket" } ? never : K }[RouteName];
/** Routes that upgrade to a WebSocket. */
export type WebSocketRouteName = Exclude<RouteName, CallableRouteName>;
/** The frame type of a WebSocket route. */
export type WebSocketFrame<K extends WebSocketRouteName> = Def<K>["response"] extends { frame: infer F extends z.ZodType } ? z.output<F> : never;

type Parsed<T> = T extends z.ZodType ? z.output<T> : Empty;

/**
 * What a server handler receives once the request is parsed: params and query as their schemas'
 * output; a JSON body parsed; a YAML route's body as the text (or the JSON value when sent as JSON);
 * `undefined` for a binary upload, which the handler streams from the request itself.
 */
export interface RouteInput<K extends RouteName> {
  params: Parsed<Def<K> extends { params: infer P } ? P : undefined>;
  query: Parsed<Def<K> extends { query: infer Q } ? Q : undefined>;
  body: Def<K> extends { body: infer B }
    ? B extends { kind: "json"; schema: infer S extends z.ZodType }
      ? z.output<S>
      : B extends { kind: "yaml" }
        ? unknown
        : undefined
    : undefined;
}

/**
 * What a server handler returns: the JSON answer's type, or the text. Binary and WebSocket routes
 * answer through the reply / socket themselves, hence `unknown`.
 */
export type RouteOutput<K extends RouteName> = Answer<Def<K>["response"], unknown>;
