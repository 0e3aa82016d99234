/** Serves the SPA's built files from `webRoot`; unknown non-API paths fall back to index.html (client routing). */
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import type { FastifyInstance } from "fastify";
import { KanadeError } from "@kanade/protocol";

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

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

export function registerWebRoot(app: FastifyInstance, webRoot: string): void {
  const root = resolve(webRoot);
  app.get("/*", async (req, reply) => {
    const urlPath = decodeURIComponent((req.url.split("?")[0] ?? "/").replace(/^\/+/, ""));
    if (urlPath.startsWith("api/")) throw new KanadeError("NOT_FOUND", `No route ${req.method} /${urlPath}`);
    const candidate = resolve(join(root, normalize(urlPath)));
    // Never serve anything outside the web root (`/../../etc/passwd`).
    const inside = candidate === root || candidate.startsWith(root + sep);
    const path = inside && (await isFile(candidate)) ? candidate : join(root, "index.html");
    if (!(await isFile(path))) throw new KanadeError("NOT_FOUND", "No web UI files found");
    return reply.type(TYPES[extname(path)] ?? "application/octet-stream").send(await readFile(path));
  });
}
