/**
 * The CLI's one way to the backend: `@kanade/protocol`'s typed client (paths from the route table,
 * answers checked against their schemas), configured from the environment, with streamed uploads over
 * node:http, and its `ApiError`s turned into `CliError`s that say what to do.
 */
import {
  ApiError,
  createApiClient,
  type CallArgs,
  type CallableRouteName,
  type CallResult,
  type PathParams,
  type WebSocketRouteName,
} from "@kanade/protocol";
import { CliError } from "./errors.js";
import { streamFetch } from "./stream-fetch.js";

export const DEFAULT_BACKEND_URL = "http://127.0.0.1:8080";

export interface ClientConfig {
  baseUrl: string;
  token: string | undefined;
  /** Where the token came from, so a refusal can say what to fix: `env` (KANADE_AUTH_TOKEN) or `login` (the saved session). */
  tokenSource?: "env" | "login";
}

/** Reads `KANADE_BACKEND_URL` and `KANADE_AUTH_TOKEN`; empty values count as unset. */
export function clientConfigFromEnv(env: NodeJS.ProcessEnv): ClientConfig {
  const url = env.KANADE_BACKEND_URL?.trim() || DEFAULT_BACKEND_URL;
  const token = env.KANADE_AUTH_TOKEN?.trim() || undefined;
  return { baseUrl: url.replace(/\/+$/, ""), token, ...(token ? { tokenSource: "env" as const } : {}) };
}

export interface CliApi {
  readonly config: ClientConfig;
  /** Calls one route of the table; throws a `CliError` with the API's code. */
  call<K extends CallableRouteName>(name: K, ...args: CallArgs<K>): Promise<CallResult<K>>;
  /** URL and subprotocols (the token as `bearer.<token>`) of a WebSocket route. */
  websocket<K extends WebSocketRouteName>(name: K, ...params: PathParams<K> extends undefined ? [] : [params: PathParams<K>]): { url: string; protocols: string[] };
  /** The same backend with another token (e.g. the saved session, whatever KANADE_AUTH_TOKEN says). */
  withToken(token: string, source: NonNullable<ClientConfig["tokenSource"]>): CliApi;
}

/** What to do about a 401, by where the refused token came from. */
export function unauthorizedHint(config: ClientConfig): string {
  if (!config.token) return "the backend needs a token: run `kanade login`, or set KANADE_AUTH_TOKEN";
  if (config.tokenSource === "login") return "the backend refused the session saved by `kanade login` (it may have expired or ended): run `kanade login` again";
  return "the backend refused KANADE_AUTH_TOKEN; set it to a valid token";
}

/** The CliError for an ApiError: same code, status and details; a 401 says how to get a valid token. */
export function cliErrorFromApi(err: ApiError, config: ClientConfig, route: CallableRouteName | WebSocketRouteName): CliError {
  let message = err.message;
  // Some messages repeat the details after a newline; print them once, as detail lines.
  if (err.details.length > 0 && message.includes("\n")) message = message.split("\n", 1)[0]!.replace(/:\s*$/, "");
  // A refused login is a wrong username or password, not a token to fix.
  if (err.status === 401 && route !== "login") message = `${message} — ${unauthorizedHint(config)}`;
  return new CliError(message, { code: err.code, ...(err.status !== undefined ? { status: err.status } : {}), details: err.details, cause: err });
}

export interface CliApiOptions {
  /** Defaults to the global fetch; tests may pass their own. */
  fetch?: typeof fetch;
}

export function createCliApi(config: ClientConfig, options: CliApiOptions = {}): CliApi {
  const client = createApiClient({
    baseUrl: config.baseUrl,
    ...(config.token ? { token: config.token } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    uploadFetch: streamFetch,
    // Cheap next to the network, and it makes every CLI test a test of the contract.
    validateResponses: true,
  });
  return {
    config,
    async call<K extends CallableRouteName>(name: K, ...args: CallArgs<K>): Promise<CallResult<K>> {
      try {
        return await client.call(name, ...args);
      } catch (err) {
        throw err instanceof ApiError ? cliErrorFromApi(err, config, name) : err;
      }
    },
    websocket: (name, ...params) => client.websocket(name, ...params),
    withToken: (token, source) => createCliApi({ ...config, token, tokenSource: source }, options),
  };
}
