import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../test/fixtures.js";
import { streamFetch } from "./stream-fetch.js";

const MIB = 1024 * 1024;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function serve(onRequest: (req: IncomingMessage, reply: (status: number, body: string) => void) => void): Promise<string> {
  const server = await listen((req, res) => onRequest(req, (status, body) => res.writeHead(status, { "content-type": "application/json" }).end(body)));
  closers.push(server.close);
  return server.url;
}

describe("streamFetch", () => {
  it("sends a streamed body of many chunks whole, with the length it was given", async () => {
    const total = 32 * MIB;
    async function* zeros(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total; sent += 64 * 1024) yield new Uint8Array(64 * 1024);
    }
    const url = await serve((req, reply) => {
      let received = 0;
      req.on("data", (c: Buffer) => (received += c.length));
      req.on("end", () => reply(201, JSON.stringify({ received, length: req.headers["content-length"] })));
    });
    const res = await streamFetch(`${url}/upload`, {
      method: "POST",
      headers: { "content-length": String(total), "content-type": "application/octet-stream" },
      body: zeros() as unknown as RequestInit["body"],
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ received: total, length: String(total) });
  });

  it("sends bytes and strings whole, and gives back status, headers and body", async () => {
    const seen: string[] = [];
    const url = await serve((req, reply) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        seen.push(`${req.method} ${req.url} ${req.headers["x-test"]} ${body}`);
        reply(202, '{"ok":true}');
      });
    });
    const res = await streamFetch(new URL(`${url}/a?b=1`), { method: "PUT", headers: { "x-test": "yes" }, body: "text" });
    expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([202, "application/json", '{"ok":true}']);
    await streamFetch(`${url}/c`, { method: "POST", body: new TextEncoder().encode("bytes") });
    expect(seen).toEqual(["PUT /a?b=1 yes text", "POST /c undefined bytes"]);
  });
});
