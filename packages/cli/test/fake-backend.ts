/** A tiny node:http server that imitates just enough of kanade-backend for one CLI test case. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
}

export type Route = (req: SeenRequest) => Reply | undefined;

export interface FakeBackend {
  url: string;
  requests: SeenRequest[];
  /** Replace the routes for the next case; requests are cleared too. */
  reset(route: Route): void;
  close(): Promise<void>;
}

export async function startFakeBackend(): Promise<FakeBackend> {
  const requests: SeenRequest[] = [];
  let route: Route = () => undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const seen: SeenRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(seen);
      const reply = route(seen) ?? { status: 404, json: { error: { code: "NOT_FOUND", message: `no route ${seen.method} ${seen.path}` } } };
      res.statusCode = reply.status ?? 200;
      if (reply.text !== undefined) {
        res.setHeader("content-type", "text/plain");
        res.end(reply.text);
      } else {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(reply.json ?? {}));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reset(r) {
      route = r;
      requests.length = 0;
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
