/** Where the built SPA lives when the backend runs from this repository or a release that ships it beside. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `packages/web/dist` relative to this file (src/ under tests, dist/ when built); undefined if it is not built. */
export function defaultWebRoot(): string | undefined {
  const dir = fileURLToPath(new URL("../../web/dist/", import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : undefined;
}
