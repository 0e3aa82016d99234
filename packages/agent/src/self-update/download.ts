/** Downloads one agent build from `agent_releases` into a file, verifying size and SHA-256 on the way. */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { NatsConnection } from "@nats-io/nats-core";
import { OBJECT_STORES } from "@kanade/protocol/wire";
import { openObjectStore } from "../object-store.js";
import { ReleaseMissingError } from "./release-missing.js";

/**
 * How long a download may go without a byte before it is given up (and retried by the updater). nats.js
 * reads an object through a push consumer: when the connection drops mid-download, the chunks the broker
 * sent meanwhile are gone and the read would wait forever for the last one.
 */
export const DOWNLOAD_STALL_MS = 60_000;

export class DownloadStalledError extends Error {
  constructor(key: string, got: number, size: number, stallMs: number) {
    super(`download of ${key} stalled at ${got} of ${size} bytes (nothing for ${Math.round(stallMs / 1000)} s); giving up this try`);
    this.name = "DownloadStalledError";
  }
}

/** Writes `agent_releases/<key>` to `dest` (mode 0755); throws, leaving no file, unless the digest matches. */
export async function downloadRelease(nc: NatsConnection, key: string, dest: string, opts: { stallMs?: number } = {}): Promise<{ size: number; sha256: string }> {
  const stallMs = opts.stallMs ?? DOWNLOAD_STALL_MS;
  const os = await openObjectStore(nc, OBJECT_STORES.agentReleases);
  const res = await os.get(key);
  if (!res) throw new ReleaseMissingError(key);
  const m = /^SHA-256=(.+)$/i.exec(res.info.digest);
  const expected = m?.[1] ? Buffer.from(m[1], "base64url").toString("hex") : undefined;
  const hash = createHash("sha256");
  let size = 0;
  let lastByteAt = Date.now();
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      lastByteAt = Date.now();
      done(null, chunk);
    },
  });
  const stalled = new AbortController();
  const guard = setInterval(() => {
    if (Date.now() - lastByteAt >= stallMs) stalled.abort(new DownloadStalledError(key, size, res.info.size, stallMs));
  }, Math.max(10, Math.min(1_000, stallMs / 4)));
  try {
    await pipeline(Readable.fromWeb(res.data as WebReadableStream<Uint8Array>), meter, createWriteStream(dest, { mode: 0o755 }), { signal: stalled.signal }).catch((err: unknown) => {
      throw stalled.signal.aborted ? (stalled.signal.reason as Error) : err;
    });
    await res.error;
    const actual = hash.digest("hex");
    if (actual !== expected || size !== res.info.size) {
      throw new Error(`downloaded ${key} does not match its digest (sha256 ${actual}, expected ${expected ?? res.info.digest}; ${size}/${res.info.size} bytes)`);
    }
    await chmod(dest, 0o755);
    return { size, sha256: actual };
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  } finally {
    clearInterval(guard);
  }
}
