/**
 * Single sign-on in the browser: where the "Sign in with SSO" button goes, and the one-time handoff code the
 * backend sends back in the URL fragment (never to a server: fragments are not sent). The verifier behind
 * the handoff challenge stays in this tab's sessionStorage, so a leaked code alone is worthless.
 */
import { pathFor } from "@kanade/protocol";

const VERIFIER_KEY = "kanade.sso.verifier";

const b64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/**
 * The URL that starts SSO. With Web Crypto (https or localhost) the sign-in is bound to this tab by a
 * challenge; on plain http elsewhere browsers have no `crypto.subtle`, and the single-use, 2-minute code alone guards it.
 */
export async function ssoStartUrl(): Promise<string> {
  const base = pathFor("startSso");
  if (!globalThis.crypto?.subtle) {
    window.sessionStorage.removeItem(VERIFIER_KEY);
    return base;
  }
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  window.sessionStorage.setItem(VERIFIER_KEY, verifier);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return `${base}?${new URLSearchParams({ handoff_challenge: b64url(digest) }).toString()}`;
}

/** The handoff code in a fragment like `#handoff=<code>`; undefined when there is none. */
export function handoffCodeIn(hash: string): string | undefined {
  const code = new URLSearchParams(hash.replace(/^#/, "")).get("handoff");
  return code && /^[A-Za-z0-9_-]{43}$/.test(code) ? code : undefined;
}

/** Takes the verifier kept when the sign-in started (it works once). */
export function takeVerifier(): string | undefined {
  const v = window.sessionStorage.getItem(VERIFIER_KEY) ?? undefined;
  window.sessionStorage.removeItem(VERIFIER_KEY);
  return v;
}
