/**
 * Where to open a WebSocket route, and how to present the token. Browsers cannot set headers on a
 * WebSocket, so the token travels as the subprotocol `bearer.<token>`, which the backend accepts and echoes.
 */
import { WS_BEARER_PROTOCOL_PREFIX } from "../perf-live.js";
import { fillPath } from "./path.js";
import { apiRoutes } from "./routes.js";
import type { PathParams, WebSocketRouteName } from "./types.js";

/** The subprotocol that carries a bearer token: `bearer.<token>`. */
export const bearerProtocol = (token: string): string => `${WS_BEARER_PROTOCOL_PREFIX}${token}`;

/** `location.href` in a browser, so a relative base URL ("" or "/kanade") resolves against the page. */
function pageUrl(): string | undefined {
  const loc = (globalThis as { location?: { href?: unknown } }).location;
  return typeof loc?.href === "string" ? loc.href : undefined;
}

/** The absolute http(s) URL of `path` under `baseUrl` (which may be relative in a browser). */
export function absoluteUrl(baseUrl: string, path: string): URL {
  const base = baseUrl.replace(/\/+$/, "");
  try {
    return new URL(base + path);
  } catch (err) {
    const page = pageUrl();
    if (page === undefined) throw new Error(`base URL "${baseUrl}" is not absolute (expected http://host:port)`, { cause: err });
    return new URL(base + path, page);
  }
}

/** `ws://` or `wss://` URL of a WebSocket route under an http(s) base URL. */
export function websocketUrl<K extends WebSocketRouteName>(
  baseUrl: string,
  name: K,
  ...params: PathParams<K> extends undefined ? [] : [params: PathParams<K>]
): string {
  const [values] = params as [Record<string, string | number>?];
  const url = absoluteUrl(baseUrl, fillPath(apiRoutes[name].path, values));
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
