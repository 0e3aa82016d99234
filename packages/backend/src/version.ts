/** The backend's own version: stamped at bundle time, else read from its package.json (src/ under vitest, dist/). */
import { readFileSync } from "node:fs";

/** Set by the release build (esbuild `define`); the single executable has no package.json beside it. */
declare const __KANADE_BACKEND_VERSION__: string | undefined;

export const BACKEND_VERSION: string =
  typeof __KANADE_BACKEND_VERSION__ === "string"
    ? __KANADE_BACKEND_VERSION__
    : (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
