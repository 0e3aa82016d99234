/**
 * The backend as an OpenID Connect relying party, through `openid-client`: discovery (read at the first
 * sign-in and kept; read again after a failure, so a backend started while the provider was down still
 * starts), the authorization URL with PKCE, state and nonce, the code exchange that validates the ID token
 * (signature, issuer, audience, expiry, nonce), and the refresh grant.
 */
import * as oidc from "openid-client";
import { KanadeError } from "@kanade/protocol";
import { isLoopbackHttp, type OidcConfig } from "../../config-oidc.js";

export type Claims = Record<string, unknown>;

export interface SignInRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface SignInAnswer {
  /** The validated ID token's claims, completed from userinfo when the role claim was not in it. */
  claims: Claims;
  refreshToken: string | undefined;
}

/** What a refresh says: the session may go on (with fresh claims), or the provider ended it. */
export type RefreshAnswer = { ok: true; claims: Claims | undefined; refreshToken: string | undefined } | { ok: false; reason: string };

export interface OidcProvider {
  readonly issuer: string;
  readonly callbackUrl: string;
  begin(): Promise<SignInRequest>;
  /** Exchanges the code in `callback` (the full callback URL the browser came back to). */
  finish(callback: URL, expected: { state: string; nonce: string; codeVerifier: string }): Promise<SignInAnswer>;
  refresh(refreshToken: string, subject: string): Promise<RefreshAnswer>;
}

export const CALLBACK_PATH = "/api/auth/oidc/callback";

/** OAuth error codes that mean the grant is gone (revoked, expired, the person signed out or was removed). */
const GRANT_GONE = new Set(["invalid_grant", "unauthorized_client", "invalid_client", "access_denied", "login_required", "consent_required"]);

const unavailable = (what: string, err: unknown): KanadeError =>
  new KanadeError("SSO_UNAVAILABLE", `The identity provider could not ${what}: ${(err as Error).message}`, { cause: err });

export function createOidcProvider(config: OidcConfig): OidcProvider {
  const callbackUrl = `${config.redirectBaseUrl}${CALLBACK_PATH}`;
  // Plain http is accepted only for a provider on this machine (config-oidc.ts refuses it elsewhere).
  const insecure = isLoopbackHttp(new URL(config.issuer));
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= oidc
      .discovery(
        new URL(config.issuer),
        config.clientId,
        config.clientSecret !== undefined ? { client_secret: config.clientSecret } : undefined,
        config.clientSecret !== undefined ? oidc.ClientSecretPost(config.clientSecret) : oidc.None(),
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        discovered = undefined;
        throw unavailable(`be discovered at ${config.issuer}`, err);
      });
    return discovered;
  };

  /** The role claim may be left out of ID tokens (Keycloak mappers, large Entra groups); userinfo then has it. */
  const withUserInfo = async (cfg: oidc.Configuration, claims: Claims, accessToken: string | undefined): Promise<Claims> => {
    if (claims[config.roleClaim] !== undefined || !accessToken || !cfg.serverMetadata().userinfo_endpoint) return claims;
    const info = await oidc.fetchUserInfo(cfg, accessToken, String(claims.sub));
    return { ...info, ...claims, [config.roleClaim]: info[config.roleClaim] };
  };

  return {
    issuer: config.issuer,
    callbackUrl,
    begin: async () => {
      const cfg = await configuration();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: callbackUrl,
        scope: config.scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state,
        nonce,
        // Ask for consent when a refresh token is wanted: some providers (oidc-provider, Google) grant offline_access only then.
        ...(config.scopes.split(/\s+/).includes("offline_access") ? { prompt: "consent" } : {}),
      });
      return { url, state, nonce, codeVerifier };
    },
    finish: async (callback, expected) => {
      const cfg = await configuration();
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(cfg, callback, {
          pkceCodeVerifier: expected.codeVerifier,
          expectedState: expected.state,
          expectedNonce: expected.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        if (err instanceof oidc.AuthorizationResponseError) {
          throw new KanadeError("SSO_FAILED", `The identity provider refused the sign-in: ${err.error}${err.error_description ? ` (${err.error_description})` : ""}`);
        }
        if (err instanceof oidc.ResponseBodyError) throw new KanadeError("SSO_FAILED", `The identity provider refused the code: ${err.error}`, { cause: err });
        if (err instanceof oidc.ClientError) {
          // openid-client's own checks (state, nonce, ID token signature, issuer, audience, expiry) say what failed.
          const why = err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
          throw new KanadeError("SSO_FAILED", `The provider's answer did not check out: ${why}`, { cause: err });
        }
        throw unavailable("exchange the code", err);
      }
      const idClaims = tokens.claims();
      if (!idClaims) throw new KanadeError("SSO_FAILED", "The identity provider sent no ID token");
      const claims = await withUserInfo(cfg, { ...idClaims }, tokens.access_token).catch((err: unknown) => {
        throw unavailable("answer userinfo", err);
      });
      return { claims, refreshToken: tokens.refresh_token };
    },
    refresh: async (refreshToken, subject) => {
      const cfg = await configuration();
      let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
      try {
        tokens = await oidc.refreshTokenGrant(cfg, refreshToken);
      } catch (err) {
        if (err instanceof oidc.ResponseBodyError && GRANT_GONE.has(err.error)) return { ok: false, reason: err.error };
        throw unavailable("refresh the session", err);
      }
      const id = tokens.claims();
      if (id && id.sub !== subject) return { ok: false, reason: "subject_changed" };
      const base: Claims = id ? { ...id } : { sub: subject };
      const claims = await withUserInfo(cfg, base, tokens.access_token).catch((err: unknown) => {
        throw unavailable("answer userinfo", err);
      });
      // Without an ID token or userinfo the provider said nothing about groups: keep what the session had.
      const known = claims[config.roleClaim] !== undefined || id !== undefined;
      return { ok: true, claims: known ? claims : undefined, refreshToken: tokens.refresh_token };
    },
  };
}
