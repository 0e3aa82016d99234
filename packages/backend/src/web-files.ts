/**
 * Where the web UI's built files come from: a directory on disk, or the assets embedded in the backend's
 * single executable (`npm run build:release` puts `packages/web/dist` into the SEA blob as `web/<path>`,
 * with the list of paths in the asset `web/manifest.json`).
 */
import { readFile, stat } from "node:fs/promises";
import { join, normalize, resolve, sep } from "node:path";
import { getAsset, isSea } from "node:sea";
import { z } from "zod";

export interface WebFiles {
  /** The file at `relPath` (URL path without the leading slash), or undefined when there is none. */
  read(relPath: string): Promise<Buffer | undefined>;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

export function directoryWebFiles(dir: string): WebFiles {
  const root = resolve(dir);
  return {
    async read(relPath) {
      const candidate = resolve(join(root, normalize(relPath)));
      // Never serve anything outside the web root (`/../../etc/passwd`).
      const inside = candidate === root || candidate.startsWith(root + sep);
      return inside && (await isFile(candidate)) ? readFile(candidate) : undefined;
    },
  };
}

export const WEB_ASSET_MANIFEST = "web/manifest.json";
const manifestSchema = z.object({ files: z.array(z.string().min(1)) });

/** The web UI embedded in this single executable; undefined when not a SEA or built without it. */
export function embeddedWebFiles(): WebFiles | undefined {
  if (!isSea()) return undefined;
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse(Buffer.from(getAsset(WEB_ASSET_MANIFEST)).toString("utf8")));
  } catch {
    return undefined;
  }
  // Only the listed paths exist; anything else (including `../` tricks) is simply not found.
  const files = new Map(manifest.files.map((f) => [f, Buffer.from(getAsset(`web/${f}`))] as const));
  return { read: async (relPath) => files.get(normalize(relPath).split(sep).join("/")) };
}
