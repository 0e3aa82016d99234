/**
 * Authentication and authorization for `/api/*` and `/metrics` (SPEC §7). An identity is the static service
 * token (admin-equivalent actor `static-token`) or an account's session token; the route policy
 * (governance/policy.ts) decides which role a route needs. Wrong tokens are counted per source address
 * before any signature is checked; past the budget every token from that address waits (429).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, WS_BEARER_PROTOCOL_PREFIX, roleAtLeast, type Identity, type Role } from "@kanade/protocol";
import { checkStaticToken } from "./config.js";
import { accessFor, allowedWhilePasswordChangeRequired, allowedWhileTotpEnrollmentRequired, trackRoutes } from "./governance/policy.js";
import {
  BEARER_IP_BUDGET,
  RateLimitedError,
  createWindowBudget,
  retryAfterSecs,
  type BudgetOptions,
  type WindowBudget,
} from "./governance/rate-limit.js";

/** The login session behind a request, when it came with an account's token. */
export interface RequestSession {
  id: string;
  /** Checks that the session has not ended since (logout, disable, password or role change, expiry). */
  alive(): Promise<boolean>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Who is acting, for audit and `issued_by`: a username, "static-token", or "anonymous" when auth is disabled. */
    actor: string;
    /** The caller's identity once authenticated; undefined on public routes. */
    identity: Identity | undefined;
    /** The caller's login session; undefined for the static token, with auth disabled, and on public routes. */
    authSession: RequestSession | undefined;
  }
}

export interface AuthConfig {
  authDisabled: boolean;
  staticToken?: string;
}

export interface ResolvedSession {
  identity: Identity;
  session: RequestSession;
  /** The account's role requires TOTP and it has not enrolled yet. */
  totpEnrollmentRequired?: boolean;
}

/** Resolves an account's session token to a live identity (role and flags read fresh, so changes apply at once). */
export interface SessionResolver {
  /** Cheap, before any signature check: could this token belong to a live session? */
  mayBeLive(token: string): Promise<boolean>;
  resolve(token: string): Promise<ResolvedSession | undefined>;
}

// Hash both sides first so the comparison takes the same time whatever the lengths are.
const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

const STATIC: Identity = { actor: "static-token", role: "admin", kind: "static-token", must_change_password: false };
const ANONYMOUS: Identity = { actor: "anonymous", role: "admin", kind: "anonymous", must_change_password: false };

/** WebSocket close code for a socket whose login session ended. */
export const SESSION_ENDED_CLOSE_CODE = 4401;
const SESSION_CHECK_MS = 1_000;

const isApiPath = (p: string): boolean => p === "/api" || p.startsWith("/api/");

/** The path as the SPA's catch-all reads it: percent-decoded, leading slashes collapsed. */
function normalizedPath(url: string): string {
  const raw = url.split("?")[0] ?? "";
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch (err) {
    if (!(err instanceof URIError)) throw err; // malformed escapes: judge the raw path
  }
  return "/" + decoded.replace(/^\/+/, "");
}

/**
 * The route pattern the policy judges. Unknown URLs (no route, or only the SPA's `/*` catch-all) are
 * judged by their path, so an unknown `/api/...` needs a token like a real one and 404s only after it.
 */
function routeOf(req: FastifyRequest): string {
  const pattern = req.routeOptions.url;
  const path = normalizedPath(req.url);
  if (pattern === undefined || (!isApiPath(pattern) && isApiPath(path))) return path;
  return pattern;
}

type BearerCheck = { ok: true; identity: Identity; session?: RequestSession; totpEnrollmentRequired?: boolean } | { ok: false; retryAfterMs?: number };

/**
 * Checks a presented token. The address's budget of wrong tokens is checked first, and a session token
 * is counted as wrong in the same synchronous step, before its session is looked up, so parallel
 * guesses cannot all be tried; a token that proves good gives its unit back. Only a token naming a
 * live session has its signature verified.
 */
async function checkBearer(token: string, ip: string, config: AuthConfig, sessions: SessionResolver | undefined, wrong: WindowBudget): Promise<BearerCheck> {
  const now = Date.now();
  const budget = wrong.check(ip, now);
  if (!budget.ok) return { ok: false, retryAfterMs: budget.retryAfterMs };
  if (config.staticToken && tokenMatches(token, config.staticToken)) return { ok: true, identity: STATIC };
  wrong.spend(ip, now);
  const resolved = sessions && (await sessions.mayBeLive(token)) ? await sessions.resolve(token) : undefined;
  if (!resolved) return { ok: false };
  wrong.refund(ip, now);
  return { ok: true, ...resolved };
}

function refuse(check: Extract<BearerCheck, { ok: false }>, presented: boolean): never {
  if (check.retryAfterMs !== undefined) throw new RateLimitedError(check.retryAfterMs, "Too many wrong bearer tokens from this address");
  throw new KanadeError(
    "UNAUTHORIZED",
    presented
      ? "Invalid or expired bearer token, or its session ended; log in again (kanade login) or check KANADE_AUTH_TOKEN"
      : "Missing bearer token (Authorization: Bearer <token>)",
  );
}

export function registerAuth(app: FastifyInstance, config: AuthConfig, sessions?: SessionResolver, opts: { wrongTokenBudget?: BudgetOptions } = {}): void {
  // startBackend and tests hand a config over directly, past loadBackendConfig: check here too.
  checkStaticToken(config.staticToken, config.authDisabled);
  const wrong = createWindowBudget(opts.wrongTokenBudget ?? BEARER_IP_BUDGET);
  app.decorateRequest("actor", "anonymous");
  app.decorateRequest("identity", undefined);
  app.decorateRequest("authSession", undefined);
  trackRoutes(app);
  // Every 429 (wrong tokens here, logins and password checks in governance/) says when to come back.
  app.addHook("onError", async (_req, reply, err) => {
    if (err instanceof RateLimitedError) void reply.header("retry-after", String(retryAfterSecs(err.retryAfterMs)));
  });
  app.addHook("onRequest", async (req) => {
    const route = routeOf(req);
    const access = accessFor(req.method, route);
    if (config.authDisabled) {
      req.actor = ANONYMOUS.actor;
      req.identity = ANONYMOUS;
      return;
    }
    if (access === "public") return;
    const presented = presentedToken(req);
    const check = presented ? await checkBearer(presented, req.ip, config, sessions, wrong) : ({ ok: false } as const);
    if (!check.ok) refuse(check, presented !== undefined);
    const who = check.identity;
    req.actor = who.actor;
    req.identity = who;
    req.authSession = check.session;
    if (who.must_change_password && !allowedWhilePasswordChangeRequired(req.method, route)) {
      throw new KanadeError(
        "PASSWORD_CHANGE_REQUIRED",
        `Account "${who.actor}" must change its password first (kanade login, then POST /api/auth/password)`,
      );
    }
    if (check.totpEnrollmentRequired && !allowedWhileTotpEnrollmentRequired(req.method, route)) {
      throw new KanadeError(
        "TOTP_ENROLLMENT_REQUIRED",
        `Accounts with the ${who.role} role must use two-factor sign-in: "${who.actor}" must enrol TOTP first (kanade account totp enroll, or the Account page)`,
      );
    }
    if (!roleAtLeast(who.role, access)) {
      throw new KanadeError("FORBIDDEN", `${req.method} ${route} needs the ${access} role; "${who.actor}" is ${article(who.role)} ${who.role}`);
    }
  });
}

/**
 * Calls `onEnded` once, within about a second, after the login session behind `req` ends (logout,
 * disable, password or role change, delete, expiry). Returns the function that stops watching.
 */
export function watchSession(req: FastifyRequest, onEnded: () => void, everyMs = SESSION_CHECK_MS): () => void {
  const session = req.authSession;
  if (!session) return () => undefined;
  let watching = true;
  let checking = false;
  const stop = (): void => {
    watching = false;
    clearInterval(timer);
  };
  const ended = (): void => {
    if (!watching) return;
    stop();
    onEnded();
  };
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    session.alive().then(
      (alive) => {
        checking = false;
        if (!alive) ended();
      },
      (err: unknown) => {
        // A session that cannot be checked is not trusted to still be live.
        req.log.warn({ err, actor: req.actor }, "could not check the login session; treating it as ended");
        ended();
      },
    );
  }, everyMs);
  return stop;
}

const article = (role: Role): string => (role === "admin" || role === "operator" ? "an" : "a");

function presentedToken(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return (m?.[1] ?? wsBearerToken(req))?.trim() || undefined;
}

/** Browsers cannot set headers on a WebSocket, so they offer the token as subprotocol `bearer.<token>`. */
function wsBearerToken(req: FastifyRequest): string | undefined {
  const offered = req.headers["sec-websocket-protocol"];
  if (typeof offered !== "string") return undefined;
  const p = offered.split(",").map((s) => s.trim()).find((s) => s.startsWith(WS_BEARER_PROTOCOL_PREFIX));
  return p?.slice(WS_BEARER_PROTOCOL_PREFIX.length) || undefined;
}
