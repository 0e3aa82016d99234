/**
 * HS256 session tokens (jose). A token names its server-side session (`jti`) and must carry an expiry;
 * the secret comes from config, or is made once and kept beside the DB.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SignJWT, decodeJwt, errors as joseErrors, jwtVerify } from "jose";

const ISSUER = "kanade-backend";
const AUDIENCE = "kanade-api";

export interface SessionClaims {
  username: string;
  sessionId: string;
  expiresAt: Date;
}

export interface TokenIssuer {
  sign(claims: SessionClaims, now: Date): Promise<string>;
  /** The claims of a token we signed that has not expired; undefined when it is not ours, expired, malformed or lacks `exp`/`jti`. */
  verify(token: string, now: Date): Promise<SessionClaims | undefined>;
  /** The session a token names, read without checking its signature: only for a cheap first look. */
  peekSessionId(token: string): string | undefined;
}

export function createTokenIssuer(secret: Uint8Array): TokenIssuer {
  return {
    sign: (claims, now) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(claims.username)
        .setJti(claims.sessionId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
        .sign(secret),
    verify: async (token, now) => {
      try {
        const { payload } = await jwtVerify(token, secret, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ["HS256"],
          // A token without an expiry would be good forever if its session row ever came back.
          requiredClaims: ["exp", "jti", "sub"],
          currentDate: now,
        });
        if (typeof payload.sub !== "string" || typeof payload.jti !== "string" || typeof payload.exp !== "number") return undefined;
        return { username: payload.sub, sessionId: payload.jti, expiresAt: new Date(payload.exp * 1000) };
      } catch (err) {
        // Expired, forged or not a JWT at all: the caller answers 401. Anything else is a bug.
        if (err instanceof joseErrors.JOSEError) return undefined;
        throw err;
      }
    },
    peekSessionId: (token) => {
      try {
        const jti = decodeJwt(token).jti;
        return typeof jti === "string" ? jti : undefined;
      } catch (err) {
        if (err instanceof joseErrors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}

/**
 * The signing secret: the configured one, else `<path>` (created with 32 random bytes, mode 0600, on first
 * start) so tokens survive restarts. `:memory:` databases get a per-process secret.
 */
export function loadJwtSecret(configured: string | undefined, path: string | undefined): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  if (!path) return randomBytes(32);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
  }
  return new TextEncoder().encode(readFileSync(path, "utf8").trim());
}
