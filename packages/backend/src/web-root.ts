/** Serves the SPA's built files; unknown non-API paths fall back to index.html (client routing). */
import { extname } from "node:path";
import type { FastifyInstance } from "fastify";
import { KanadeError } from "@kanade/protocol";
import { directoryWebFiles, type WebFiles } from "./web-files.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

/** `web` is a directory (KANADE_WEB_ROOT, packages/web/dist) or the files embedded in the single executable. */
export function registerWebRoot(app: FastifyInstance, web: string | WebFiles): void {
  const files = typeof web === "string" ? directoryWebFiles(web) : web;
  app.get("/*", async (req, reply) => {
    const urlPath = decodeURIComponent((req.url.split("?")[0] ?? "/").replace(/^\/+/, ""));
    if (urlPath.startsWith("api/")) throw new KanadeError("NOT_FOUND", `No route ${req.method} /${urlPath}`);
    const direct = urlPath === "" ? undefined : await files.read(urlPath);
    const [path, body] = direct ? [urlPath, direct] : ["index.html", await files.read("index.html")];
    if (!body) throw new KanadeError("NOT_FOUND", "No web UI files found");
    return reply.type(TYPES[extname(path)] ?? "application/octet-stream").send(body);
  });
}
