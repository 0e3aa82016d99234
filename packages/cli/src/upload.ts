/**
 * A local file as an upload body: read in chunks as the request takes them (the API client sends it with
 * `streamFetch`, so memory stays flat), with a progress line on a TTY.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { UploadBody } from "@kanade/protocol";
import { badInput } from "./errors.js";
import type { Io } from "./output.js";
import { ProgressReporter } from "./progress.js";

const MIB = 1024 * 1024;

/** `12.5/300.0 MiB (4%)`. */
export function uploadLine(name: string, sent: number, total: number): string {
  const pct = total === 0 ? 100 : Math.floor((sent / total) * 100);
  return `uploading ${name}: ${(sent / MIB).toFixed(1)}/${(total / MIB).toFixed(1)} MiB (${pct}%)`;
}

export async function fileSize(path: string): Promise<number> {
  const s = await stat(path).catch((err: unknown) => {
    throw badInput(`cannot read ${path}: ${(err as Error).message}`);
  });
  if (!s.isFile()) throw badInput(`${path} is not a file`);
  return s.size;
}

async function* metered(path: string, size: number, progress: ProgressReporter | undefined): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    sent += bytes.length;
    progress?.update(uploadLine(path, sent, size));
    yield bytes;
  }
}

/**
 * Uploads the file at `path` through `send` (one API call with this body) and returns its answer; the
 * progress line, if any, is ended whatever happens.
 */
export async function uploadFile<T>(io: Io, path: string, send: (body: UploadBody) => Promise<T>): Promise<T> {
  const size = await fileSize(path);
  const progress = io.stderrIsTTY ? new ProgressReporter(io) : undefined;
  try {
    return await send({ data: metered(path, size, progress), size });
  } finally {
    progress?.finish();
  }
}
