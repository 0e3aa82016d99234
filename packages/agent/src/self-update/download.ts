/** Downloads one agent build from `agent_releases` into a file, verifying size and SHA-256 on the way. */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/nats-core";
import { OBJECT_STORES } from "@kanade/protocol/wire";
import { ReleaseMissingError } from "./release-missing.js";

/** Writes `agent_releases/<key>` to `dest` (mode 0755); throws, leaving no file, unless the digest matches. */
export async function downloadRelease(nc: NatsConnection, key: string, dest: string): Promise<{ size: number; sha256: string }> {
  const os = await new Objm(nc).open(OBJECT_STORES.agentReleases);
  const res = await os.get(key);
  if (!res) throw new ReleaseMissingError(key);
  const m = /^SHA-256=(.+)$/i.exec(res.info.digest);
  const expected = m?.[1] ? Buffer.from(m[1], "base64url").toString("hex") : undefined;
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.data as WebReadableStream<Uint8Array>), meter, createWriteStream(dest, { mode: 0o755 }));
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
  }
}
