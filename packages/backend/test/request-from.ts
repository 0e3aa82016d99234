/**
 * HTTP requests from a chosen loopback source address (127.0.0.0/8 is all loopback on Linux), so a
 * test can be "another client address" to the backend without proxies or trust settings.
 */
import { Agent, request } from "node:http";

export interface FromResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

const agents = new Map<string, Agent>();
/** One pool per source address, with room for a whole burst to be in flight at once. */
const agentFor = (ip: string): Agent => {
  let a = agents.get(ip);
  if (!a) {
    a = new Agent({ maxSockets: 1_000, localAddress: ip });
    agents.set(ip, a);
  }
  return a;
};

export function requestFrom(
  ip: string,
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<FromResponse> {
  const url = new URL(baseUrl);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent: agentFor(ip),
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch (err) {
            if (!(err instanceof SyntaxError)) return reject(err);
            body = undefined; // HTML from the SPA fallback
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
