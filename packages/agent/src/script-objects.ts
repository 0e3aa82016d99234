/**
 * Script bodies kept in the `scripts` object store (`script_object: <name>/<version>`): fetched over
 * NATS, checked against the Command's `script_sha256` BEFORE anything runs, and cached by digest in
 * `<data_dir>/script-cache/<sha256>` so a fleet-wide exec downloads each body once per PC.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { OBJECT_STORES } from "@kanade/protocol/wire";
import { writeFileAtomicSync } from "./fs-atomic.js";
import { mkdirPrivate } from "./private-files.js";
import { openObjectStore } from "./object-store.js";

/** Script bodies are text; anything bigger is an operator mistake (ship it as an app package). */
const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export type ScriptBody = { ok: true; body: string } | { ok: false; error: string };

export interface ScriptObjectSource {
  fetch(key: string, sha256: string | undefined): Promise<ScriptBody>;
}

const sha256Hex = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export class ScriptObjectCache implements ScriptObjectSource {
  private readonly dir: string;

  constructor(private readonly deps: { nc: NatsConnection; dataDir: string; log: Logger }) {
    this.dir = join(deps.dataDir, "script-cache");
  }

  async fetch(key: string, sha256: string | undefined): Promise<ScriptBody> {
    const expected = sha256?.toLowerCase();
    if (!expected || !HEX_SHA256.test(expected)) {
      return { ok: false, error: `script_object ${key} came without a valid script_sha256; refusing to run an unverified script` };
    }
    const cached = await this.cached(expected);
    if (cached) return { ok: true, body: cached };
    let bytes: Uint8Array;
    try {
      // Loaded on the first script_object command: inline scripts never need the object store client.
      const os = await openObjectStore(this.deps.nc, OBJECT_STORES.scripts);
      const info = await os.info(key);
      if (!info || info.deleted) return { ok: false, error: `script object ${key} is not in the scripts store` };
      if (info.size > MAX_SCRIPT_BYTES) return { ok: false, error: `script object ${key} is ${info.size} bytes; scripts are limited to ${MAX_SCRIPT_BYTES}` };
      const blob = await os.getBlob(key);
      if (!blob) return { ok: false, error: `script object ${key} is not in the scripts store` };
      bytes = blob;
    } catch (err) {
      return { ok: false, error: `could not download script object ${key}: ${(err as Error).message}` };
    }
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      this.deps.log.error({ key, expected, actual }, "script object digest mismatch; not running");
      return { ok: false, error: `sha256 mismatch for script object ${key}: downloaded ${actual}, command expects ${expected}; nothing was run` };
    }
    try {
      mkdirPrivate(this.dir);
      writeFileAtomicSync(join(this.dir, expected), Buffer.from(bytes).toString("utf8"));
    } catch (err) {
      this.deps.log.warn({ err, key }, "could not cache script object; will download it again next time");
    }
    return { ok: true, body: Buffer.from(bytes).toString("utf8") };
  }

  /** A cached body, re-hashed: a damaged cache file is ignored (and downloaded again), never run. */
  private async cached(sha: string): Promise<string | undefined> {
    const path = join(this.dir, sha);
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") this.deps.log.warn({ err, path }, "could not read cached script");
      return undefined;
    });
    if (!bytes) return undefined;
    if (sha256Hex(bytes) === sha) return bytes.toString("utf8");
    this.deps.log.warn({ path }, "cached script does not match its digest; downloading again");
    return undefined;
  }
}
