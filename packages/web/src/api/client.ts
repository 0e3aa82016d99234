/** The SPA's one HTTP client: bearer token from the session, API error bodies turned into `ApiError`. */
import { z } from "zod";

const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
  /** The route itself is missing (an older backend), as opposed to a missing job or agent. */
  get routeMissing(): boolean {
    return this.status === 404 && this.code === "NOT_FOUND" && this.message.startsWith("No route");
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  /** GET a text body as is (job YAML). */
  getText(path: string): Promise<string>;
  send<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown, contentType?: string): Promise<T>;
}

/** `onUnauthorized` runs on any 401 so the app can return to sign-in. */
export function createApiClient(getToken: () => string | null, onUnauthorized: () => void): ApiClient {
  const call = async <T>(method: string, path: string, body?: unknown, contentType = "application/json", asText = false): Promise<T> => {
    const token = getToken();
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = contentType;
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    } catch (err) {
      throw new ApiError(0, "NETWORK", (err as Error).message);
    }
    const text = await res.text();
    if (!res.ok) {
      if (res.status === 401) onUnauthorized();
      throw toApiError(res.status, text);
    }
    if (asText) return text as T;
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new ApiError(res.status, "BAD_RESPONSE", `${path}: the backend sent something that is not JSON (${(err as Error).message})`);
    }
  };
  return {
    get: (path) => call("GET", path),
    getText: (path) => call<string>("GET", path, undefined, undefined, true),
    send: (method, path, body, contentType) => call(method, path, body, contentType),
  };
}

export function toApiError(status: number, text: string): ApiError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page, say): show the status and the start of the text instead.
    return new ApiError(status, `HTTP_${status}`, `HTTP ${status}: ${text.slice(0, 200) || "no body"}`);
  }
  const r = errorBodySchema.safeParse(json);
  if (!r.success) return new ApiError(status, `HTTP_${status}`, `HTTP ${status}`);
  return new ApiError(status, r.data.error.code, r.data.error.message, r.data.error.details ?? []);
}

/** `?a=1&b=x` from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
