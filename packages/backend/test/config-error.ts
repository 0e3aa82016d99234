/** For config tests: the error `load` throws, which must be a config problem (INVALID_CONFIG). */
import { KanadeError } from "@kanade/protocol";

export function configError(load: () => unknown): KanadeError {
  try {
    load();
  } catch (err) {
    if (err instanceof KanadeError && err.code === "INVALID_CONFIG") return err;
    throw err;
  }
  throw new Error("expected INVALID_CONFIG, but the config loaded");
}
