import { readFileSync } from "node:fs";
import * as z from "zod";

/** Set by the release build (esbuild `define`); the bundled single executable has no package.json beside it. */
declare const __KANADE_AGENT_VERSION__: string | undefined;

/** The agent's own version: stamped at bundle time, else from packages/agent/package.json (next to dist/ and src/). */
export const AGENT_VERSION: string =
  typeof __KANADE_AGENT_VERSION__ === "string"
    ? __KANADE_AGENT_VERSION__
    : z.object({ version: z.string() }).parse(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))).version;
