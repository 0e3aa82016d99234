/** Short-lived HS256 session tokens (jose). The secret comes from config, or is made once and kept beside the DB. */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";

const ISSUER = "kanade-backend";
const AUDIENCE = "kanade-api";

export interface SessionClaims {
  username: string;
  expiresAt: Date;
}

export interface TokenIssuer {
  sign(username: string, now: Date): Promise<{ token: string; expires_at: string }>;
  /** The username the token was issued to, or undefined when it is not ours, expired or malformed. */
  verify(token: string): Promise<string | undefined>;
}

export function createTokenIssuer(secret: Uint8Array, ttlMs: number): TokenIssuer {
  return {
    sign: async (username, now) => {
      const exp = new Date(now.getTime() + ttlMs);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(username)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(exp.getTime() / 1000))
        .sign(secret);
      return { token, expires_at: exp.toISOString() };
    },
    verify: async (token) => {
      try {
        const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
        return typeof payload.sub === "string" ? payload.sub : undefined;
      } catch (err) {
        // Expired, forged or not a JWT at all: the caller answers 401. Anything else is a bug.
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
