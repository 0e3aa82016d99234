/**
 * The one typed client of the kanade API, for Node 20 and browsers alike (global fetch, no node:
 * imports). `call(name, input)` builds the request from the route table and checks the answer against
 * the route's schema, so a caller gets typed data or an `ApiError` with a stable code.
 */
import type { z } from "zod";
import { ApiError, apiErrorFromAnswer, firstIssue, rootCauseMessage } from "./api-error.js";
import type { BodyDescriptor, ResponseDescriptor, RouteDef } from "./descriptors.js";
import { fillPath } from "./path.js";
import { apiRoutes } from "./routes.js";
import type { CallArgs, CallResult, CallableRouteName, PathParams, UploadBody, WebSocketRouteName } from "./types.js";
import { bearerProtocol, websocketUrl } from "./websocket.js";

export interface ApiClientOptions {
  /** `http://host:port` of kanade-backend; in a browser "" means the page's own origin. */
  baseUrl: string;
  /** A bearer token, or a function read at every call (a browser session that may change). */
  token?: string | (() => string | null | undefined);
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * The fetch for uploads whose body is a stream (default: `fetch`). Node 20's fetch reads a request
   * body ahead of the socket, so a 300 MiB upload to a slow server held 300 MiB in memory; a caller
   * that uploads large files in Node passes a sender built on node:http here.
   */
  uploadFetch?: typeof fetch;
  /** Check every JSON answer against its schema (default true); off, answers are returned as parsed. */
  validateResponses?: boolean;
  /** Runs on every 401 answer (a failed login included) before the ApiError is thrown. */
  onUnauthorized?: (error: ApiError) => void;
}

export interface ApiClient {
  readonly baseUrl: string;
  /** Calls one route; resolves to its parsed answer, its text, or (for downloads) the unread Response. */
  call<K extends CallableRouteName>(name: K, ...args: CallArgs<K>): Promise<CallResult<K>>;
  /** URL and subprotocols for a WebSocket route; the token travels as `bearer.<token>`. */
  websocket<K extends WebSocketRouteName>(name: K, ...params: PathParams<K> extends undefined ? [] : [params: PathParams<K>]): { url: string; protocols: string[] };
}

interface LooseInput {
  params?: Record<string, string | number>;
  query?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
}

/** `?a=1&b=true` from the defined values only. */
function queryString(query: Record<string, unknown> | undefined): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null) continue;
    search.set(k, typeof v === "string" ? v : String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}

const ACCEPT: Record<ResponseDescriptor["kind"], string> = {
  json: "application/json",
  empty: "application/json",
  text: "*/*",
  binary: "*/*",
  websocket: "*/*",
};

/** Sets the body and its content headers on `init` for the route's body kind. */
function encodeBody(desc: BodyDescriptor, body: unknown, headers: Record<string, string>, init: RequestInit & { duplex?: "half" }): void {
  if (body === undefined) return;
  if (desc.kind === "json") {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  } else if (desc.kind === "yaml") {
    headers["content-type"] = "application/yaml";
    init.body = body as string;
  } else {
    const upload = body as UploadBody;
    headers["content-type"] = "application/octet-stream";
    headers["content-length"] = String(upload.size);
    init.body = upload.data as RequestInit["body"];
    // A streamed request body needs half duplex in Node's fetch (and in browsers that stream uploads).
    if (!(upload.data instanceof Uint8Array)) init.duplex = "half";
  }
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const streamFetch = options.uploadFetch ?? doFetch;
  const validate = options.validateResponses ?? true;
  const token = (): string | undefined => (typeof options.token === "function" ? options.token() : options.token) || undefined;

  const unreachable = (err: unknown): ApiError =>
    new ApiError("NETWORK", `cannot reach kanade-backend at ${baseUrl || "this origin"}: ${rootCauseMessage(err)}`, { cause: err });

  /** Reads the whole body; a connection lost halfway is a network error too. */
  const readText = async (res: Response): Promise<string> => {
    try {
      return await res.text();
    } catch (err) {
      throw unreachable(err);
    }
  };

  async function decode(desc: ResponseDescriptor, res: Response, what: string): Promise<unknown> {
    if (desc.kind === "binary") return res;
    const body = await readText(res);
    if (desc.kind === "text") return body;
    if (desc.kind !== "json") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      throw new ApiError("BAD_RESPONSE", `${what}: the backend answered with something that is not JSON`, { status: res.status, cause: err });
    }
    if (!validate) return value;
    const parsed = (desc.schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      throw new ApiError("BAD_RESPONSE", `${what}: the answer does not match its schema ${firstIssue(parsed.error)}`, {
        status: res.status,
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  async function call<K extends CallableRouteName>(name: K, ...args: CallArgs<K>): Promise<CallResult<K>> {
    const def: RouteDef = apiRoutes[name];
    const input = (args[0] ?? {}) as LooseInput;
    const path = fillPath(def.path, input.params);
    const what = `${def.method} ${path}`;
    const headers: Record<string, string> = { accept: ACCEPT[def.response.kind] };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const init: RequestInit & { duplex?: "half" } = { method: def.method, headers, ...(input.signal ? { signal: input.signal } : {}) };
    if (def.body) encodeBody(def.body, input.body, headers, init);
    let res: Response;
    try {
      res = await (init.duplex ? streamFetch : doFetch)(baseUrl + path + queryString(input.query), init);
    } catch (err) {
      if (input.signal?.aborted) throw err; // the caller's own abort is not a network failure
      throw unreachable(err);
    }
    if (!res.ok) {
      const error = apiErrorFromAnswer(res.status, res.statusText, await readText(res), what);
      if (res.status === 401) options.onUnauthorized?.(error);
      throw error;
    }
    return (await decode(def.response, res, what)) as CallResult<K>;
  }

  return {
    baseUrl,
    call,
    websocket: (name, ...params) => {
      const bearer = token();
      return { url: websocketUrl(baseUrl, name, ...params), protocols: bearer ? [bearerProtocol(bearer)] : [] };
    },
  };
}
