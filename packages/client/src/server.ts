/** The loopback HTTP server: the launch-token exchange, the UI's files, `POST /api/call/<method>` and `GET /api/events` (SSE). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KlpCallError } from "@kanade/protocol/klp-client";
import { BridgeError, type AgentBridge } from "./bridge.js";
import { checkRequestHeaders, sessionCookie, Sessions } from "./security.js";
import { UI_FILES, uiReader } from "./ui-files.js";

const MAX_BODY = 64 * 1024;
export const LOOPBACK = "127.0.0.1";

export interface ClientServer {
  server: Server;
  port: number;
  /** The URL the app window opens (carries the one-time token). */
  launchUrl: string;
  /** A launch URL with a fresh one-time token, for opening the window again (the tray's "Open"). */
  newLaunchUrl(): string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}
const sendError = (res: ServerResponse, status: number, code: string, message: string, details?: unknown): void =>
  sendJson(res, status, { error: { code, message, ...(details === undefined ? {} : { details }) } });

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new BridgeError(413, "too_large", `body: more than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BridgeError(400, "invalid_json", "body: not JSON");
  }
}

export async function startClientServer(bridge: AgentBridge, opts: { port?: number } = {}): Promise<ClientServer> {
  const sessions = new Sessions();
  const readUi = uiReader();
  let port = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.end();
      if (err instanceof BridgeError) return sendError(res, err.status, err.code, err.message, err.details);
      if (err instanceof KlpCallError) return sendError(res, 502, "agent_refused", err.message, { klp_code: err.code, data: err.data });
      sendError(res, 500, "internal", (err as Error).message);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", `http://${LOOPBACK}:${port}`);
    const refusal = checkRequestHeaders(req.headers, { host: LOOPBACK, port }, method !== "GET" && method !== "HEAD");
    if (refusal) return sendError(res, refusal.status, `bad_${refusal.field}`, refusal.message);

    if (method === "GET" && url.pathname === "/launch") {
      const session = sessions.exchange(url.searchParams.get("token") ?? "");
      if (!session) return sendError(res, 401, "bad_token", "token: missing, wrong or already used; start kanade-client again");
      res.writeHead(303, { ...SECURITY_HEADERS, "set-cookie": sessionCookie(session), location: "/" });
      return void res.end();
    }
    if (!sessions.isValid(req.headers.cookie)) return sendError(res, 401, "bad_cookie", "cookie: no session; open kanade-client from its launcher");

    const ui = UI_FILES[url.pathname];
    if (method === "GET" && ui) {
      const body = await readUi(ui.file);
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": ui.type });
      return void res.end(body);
    }
    if (method === "GET" && url.pathname === "/api/events") return events(res);
    if (method === "POST" && url.pathname.startsWith("/api/call/")) {
      const params = await readBody(req);
      const result = await bridge.call(decodeURIComponent(url.pathname.slice("/api/call/".length)), params);
      return sendJson(res, 200, { result });
    }
    sendError(res, 404, "not_found", `path: ${url.pathname} is not served`);
  }

  function events(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream", connection: "keep-alive" });
    const write = (e: unknown): void => void res.write(`data: ${JSON.stringify(e)}\n\n`);
    write(bridge.status);
    const off = bridge.onEvent(write);
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    res.on("close", () => {
      off();
      clearInterval(ping);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    launchUrl: `http://${LOOPBACK}:${port}/launch?token=${sessions.launchToken}`,
    newLaunchUrl: () => `http://${LOOPBACK}:${port}/launch?token=${sessions.renew()}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
