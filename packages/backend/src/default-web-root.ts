/** Where the built SPA comes from when KANADE_WEB_ROOT is not set. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { isSea } from "node:sea";
import { fileURLToPath } from "node:url";
import { embeddedWebFiles, type WebFiles } from "./web-files.js";

/**
 * The single executable: its embedded files, else a `web/` directory beside the executable. From the
 * repository: `packages/web/dist` relative to this file (src/ under tests, dist/ when built). Undefined
 * when none of these exists.
 */
export function defaultWebRoot(): string | WebFiles | undefined {
  if (isSea()) {
    const beside = join(dirname(process.execPath), "web");
    return embeddedWebFiles() ?? (existsSync(join(beside, "index.html")) ? beside : undefined);
  }
  const dir = fileURLToPath(new URL("../../web/dist/", import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : undefined;
}
