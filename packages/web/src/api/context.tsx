/** Makes the API client (and the token, for WebSockets) available to every page. */
import type { Identity } from "@kanade/protocol";
import { createContext, useContext, useEffect, useRef, useState, useCallback } from "react";
import type { ApiClient } from "./client.js";
import { ApiError } from "./client.js";
import { canOperate } from "../lib/auth.js";

export interface ApiContextValue {
  api: ApiClient;
  token: string | null;
  /** Who is signed in; null when the backend cannot say (no `GET /api/auth/me`). */
  me: Identity | null;
}

export const ApiContext = createContext<ApiContextValue | null>(null);

export function useApi(): ApiContextValue {
  const v = useContext(ApiContext);
  if (!v) throw new Error("useApi outside ApiContext");
  return v;
}

/** False for viewers: mutation buttons are disabled for them (the backend would answer 403 anyway). */
export function useCanOperate(): boolean {
  return canOperate(useApi().me);
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * GETs `path` (null = don't), and again every `pollMs` if given. Errors are kept (not thrown) so the page can
 * show them; the last good data stays on screen while a poll fails.
 */
export function useGet<T>(path: string | null, pollMs?: number): Loaded<T> {
  const { api } = useApi();
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const pathRef = useRef(path);
  pathRef.current = path;
  useEffect(() => {
    if (path === null) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      try {
        const data = await api.get<T>(path);
        if (!cancelled) setState({ data, error: undefined, loading: false });
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(0, "CLIENT", (err as Error).message);
        if (!cancelled) setState((s) => ({ data: s.data, error: e, loading: false }));
      }
      if (!cancelled && pollMs) timer = setTimeout(() => void run(), pollMs);
    };
    setState((s) => ({ ...s, loading: true }));
    void run();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, path, pollMs, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}
