import { readFileSync } from "node:fs";
import { z } from "zod";

/** The agent's own version, from packages/agent/package.json (next to dist/ and src/). */
export const AGENT_VERSION: string = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))).version;
