/**
 * A fetch for streamed uploads over node:http(s). Node 20's fetch reads a streamed request body ahead of
 * the socket, so a 300 MiB upload to a slow server held 300 MiB in memory; here the body is piped into
 * the request, so it is read only as fast as the socket drains. Answers are small JSON and read whole.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Statuses whose answer has no body (a `Response` refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

const isAsyncIterable = (v: unknown): v is AsyncIterable<Uint8Array> =>
  typeof v === "object" && v !== null && Symbol.asyncIterator in v;

/** The request body as something to pipe, or bytes to write at once. */
function bodySource(body: unknown): Readable | string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  if (isAsyncIterable(body)) return Readable.from(body, { objectMode: false });
  throw new TypeError("streamFetch: the request body must be bytes, a string or a stream");
}

function responseHeaders(h: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

async function readAll(res: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Uint8Array.from(Buffer.concat(chunks));
}

/** `fetch(url, init)` for http(s) URLs, sending the body with back-pressure. */
export async function streamFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) throw new TypeError("streamFetch takes a URL, not a Request");
  const url = new URL(input);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  const body = bodySource(init.body);
  const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
    method: init.method ?? "GET",
    headers,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
  });
  // The backend may answer early (409, 401) and close while the body is still going out; its answer
  // matters more than the write error that follows, so the send's failure is only kept, not thrown.
  const sending: Promise<unknown> =
    body instanceof Readable ? pipeline(body, req).catch((err: unknown) => err) : Promise.resolve(req.end(body));
  const res = await answered;
  const bytes = await readAll(res);
  await sending;
  const status = res.statusCode ?? 0;
  return new Response(NULL_BODY.has(status) ? null : bytes, {
    status,
    statusText: res.statusMessage ?? "",
    headers: responseHeaders(res.headers),
  });
}
