/** Makes the API client and who is signed in available to every page; `useCall` reads a route into state. */
import type { CallableRouteName, CallInput, CallResult, Identity } from "@kanade/protocol";
import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { canOperate } from "../lib/auth.js";
import { asError, type ApiClient } from "./client.js";
import { callArgs, inputKey } from "./call-input.js";

export interface ApiContextValue {
  api: ApiClient;
  /** Who is signed in (`getMe`). */
  me: Identity;
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
  /** Usually an `ApiError` (code, message, details). */
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

export interface CallOptions {
  /** Call again this long after each answer. */
  pollMs?: number;
}

/**
 * Calls route `name` with `input` (null = don't), and again every `pollMs` if given. Errors are kept (not
 * thrown) so the page can show them; the last good data stays on screen while a poll fails. A new input
 * (compared by value) calls at once; leaving the page aborts the call in flight.
 */
export function useCall<K extends CallableRouteName>(name: K, input: CallInput<K> | null, options: CallOptions = {}): Loaded<CallResult<K>> {
  const { api } = useApi();
  const { pollMs } = options;
  const [state, setState] = useState<{ data: CallResult<K> | undefined; error: Error | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: input !== null,
  });
  const [tick, setTick] = useState(0);
  // The effect reruns when the input's value changes, not when a caller rebuilds the same object.
  const key = inputKey(input);
  const inputRef = useRef(input);
  inputRef.current = input;
  useEffect(() => {
    const current = inputRef.current;
    if (current === null) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      try {
        const data = await api.call(name, ...callArgs(name, current, abort.signal));
        if (!abort.signal.aborted) setState({ data, error: undefined, loading: false });
      } catch (err) {
        if (!abort.signal.aborted) setState((s) => ({ data: s.data, error: asError(err), loading: false }));
      }
      if (!abort.signal.aborted && pollMs) timer = setTimeout(() => void run(), pollMs);
    };
    setState((s) => ({ ...s, loading: true }));
    void run();
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [api, name, key, pollMs, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}
