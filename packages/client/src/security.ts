/**
 * The client's guard at its loopback door: a one-time launch token that becomes an HttpOnly cookie, and
 * Host/Origin checks against DNS rebinding and cross-site requests. Pure functions; server.ts applies them.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export const SESSION_COOKIE = "kanade_client_session";

/** Why a request was refused; `status` is the HTTP status the server answers with. */
export interface Refusal {
  status: 401 | 403 | 421;
  field: "host" | "origin" | "cookie" | "token";
  message: string;
}

const token = (): string => randomBytes(32).toString("base64url");

/** The launch token (good once) and the sessions it opened. */
export class Sessions {
  private launch: string | undefined = token();
  private readonly open = new Set<string>();

  /** The token to put in the URL the app window opens. */
  get launchToken(): string {
    if (!this.launch) throw new Error("the launch token was already used");
    return this.launch;
  }

  /**
   * A fresh launch token, replacing one not used yet: the tray's "Open" starts a new window, which needs its own
   * token (the first one is spent). Sessions already open stay open.
   */
  renew(): string {
    this.launch = token();
    return this.launch;
  }

  /** Exchanges the launch token for a session id; the token is void afterwards, right or wrong attempts alike keep it one-shot. */
  exchange(candidate: string): string | undefined {
    const want = this.launch;
    if (!want || !sameSecret(candidate, want)) return undefined;
    this.launch = undefined;
    const session = token();
    this.open.add(session);
    return session;
  }

  /** True when the Cookie header carries a session this process opened. */
  isValid(cookieHeader: string | undefined): boolean {
    const value = cookieValue(cookieHeader, SESSION_COOKIE);
    if (!value) return false;
    for (const s of this.open) if (sameSecret(value, s)) return true;
    return false;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value for a session: not readable by scripts, never sent cross-site, this origin only. */
export const sessionCookie = (session: string): string => `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`;

const headersSchema = z.object({
  host: z.string().min(1).max(255),
  origin: z.string().max(2048).optional(),
});

/**
 * Checks Host and Origin. Host must be exactly our loopback address:port (a rebound DNS name is refused);
 * an Origin, when sent, must be ours; requests that change something (`needsOrigin`) must send one.
 */
export function checkRequestHeaders(headers: Record<string, string | string[] | undefined>, origin: { host: string; port: number }, needsOrigin: boolean): Refusal | undefined {
  const parsed = headersSchema.safeParse({ host: headers.host, origin: headers.origin });
  const expectedHost = `${origin.host}:${origin.port}`;
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0] === "origin" ? "origin" : "host";
    return { status: field === "host" ? 421 : 403, field, message: `${field}: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  }
  if (parsed.data.host !== expectedHost) return { status: 421, field: "host", message: `host: expected ${expectedHost}` };
  const sent = parsed.data.origin;
  if (sent === undefined) {
    return needsOrigin ? { status: 403, field: "origin", message: "origin: required on this request" } : undefined;
  }
  if (sent !== `http://${expectedHost}`) return { status: 403, field: "origin", message: `origin: ${sent} is not this app` };
  return undefined;
}
