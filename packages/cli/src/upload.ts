/**
 * Streams a local file to the backend with node:http(s): the file is read only as fast as the socket
 * drains (fetch would queue a streamed body in memory), with a progress line on a TTY.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ApiClient } from "./client.js";
import { CliError, badInput } from "./errors.js";
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

/** POSTs the file at `path` to `apiPath` and returns the parsed JSON answer. */
export async function uploadFile<T>(client: ApiClient, io: Io, apiPath: string, path: string, query: Record<string, string> = {}): Promise<T> {
  const size = await fileSize(path);
  const url = new URL(client.config.baseUrl + apiPath);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = { "content-type": "application/octet-stream", "content-length": String(size), accept: "application/json" };
  if (client.config.token) headers.authorization = `Bearer ${client.config.token}`;
  const progress = io.stderrIsTTY ? new ProgressReporter(io) : undefined;
  let sent = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      progress?.update(uploadLine(path, sent, size));
      done(null, chunk);
    },
  });
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, { method: "POST", headers });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
  });
  try {
    // The backend may answer early (409, 401) and close; its answer matters more than our write error.
    const sending = pipeline(createReadStream(path), meter, req).catch((err: unknown) => err);
    const res = await response;
    let text = "";
    for await (const chunk of res.setEncoding("utf8")) text += chunk as string;
    await sending;
    progress?.finish();
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw client.apiError(new Response(null, { status, statusText: res.statusMessage ?? "" }), text, `POST ${apiPath}`);
    }
    return JSON.parse(text) as T;
  } catch (err) {
    progress?.finish();
    if (err instanceof CliError) throw err;
    throw new CliError(`upload to ${client.config.baseUrl} failed: ${(err as Error).message}`, { code: "NETWORK", cause: err });
  }
}
