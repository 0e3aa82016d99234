/**
 * Where the UI's files come from: `packages/client/ui/` on disk (npm workspace, tests), or the assets of the
 * single executable (`npm run build:release` embeds them as `ui/<file>`), so kanade-client.exe stands alone.
 */
import { readFile } from "node:fs/promises";
import { getAsset, isSea } from "node:sea";
import { fileURLToPath } from "node:url";

/** The UI's files by URL path; nothing else is ever served. */
export const UI_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/i18n.js": { file: "i18n.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

export type UiReader = (file: string) => Promise<Buffer>;

export function uiReader(): UiReader {
  if (isSea()) return async (file) => Buffer.from(getAsset(`ui/${file}`));
  // Resolved only off the executable: the CommonJS bundle inside it has no import.meta.url.
  const dir = fileURLToPath(new URL("../ui/", import.meta.url));
  return (file) => readFile(dir + file);
}
