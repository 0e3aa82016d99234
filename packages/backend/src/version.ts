/** The backend's own version, read from its package.json (works from src/ under vitest and from dist/). */
import { readFileSync } from "node:fs";

export const BACKEND_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
