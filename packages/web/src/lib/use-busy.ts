/**
 * The busy/error bookkeeping every form repeats: `run(action)` marks the form busy, clears the last error,
 * and keeps what the action throws, described by `describe` (the error itself by default).
 */
import { useState } from "react";
import { asError } from "../api/client.js";

export type FormError = Error | string | undefined;

export function useBusy(): {
  busy: boolean;
  error: FormError;
  setError: (e: FormError) => void;
  run: (action: () => Promise<void>, describe?: (err: unknown) => Error | string) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError>();
  const run = async (action: () => Promise<void>, describe: (err: unknown) => Error | string = asError): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
