/**
 * Single sign-on (docs/operator/governance.md#single-sign-on): the start of a sign-in (state, nonce and PKCE
 * kept here, the state also in a cookie of the browser that started), the provider's answer (a just-in-time
 * account marked as SSO, its role from the group claim), the one-time handoff of the session to the web UI or
 * the CLI, and the re-check with the provider's refresh token every refresh interval, which ends the kanade
 * session when the provider has ended the person's grant or the group claim no longer maps to a role.
 *
 * Pending sign-ins and handoff codes are rows in the shared database (they last minutes), so behind a load
 * balancer any backend finishes what another started, and each works once.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { KanadeError, type LoginResponse, type Role, type SsoHandoff, type SsoStartQuery } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Audit } from "../../audit/index.js";
import type { Caller } from "../../caller.js";
import { SYSTEM_CALLER } from "../../caller.js";
import type { OidcConfig } from "../../config-oidc.js";
import { SSO_PASSWORD_HASH, type AccountRecord, type AccountStore } from "../account-store.js";
import { RESERVED_USERNAMES } from "../accounts.js";
import { sessionAnswer } from "../login.js";
import type { SessionTokens } from "../sessions.js";
import type { OidcProvider } from "./provider.js";
import { claimValues, roleFromClaims, usernameFromClaims } from "./roles.js";
import type { SsoStore } from "./store.js";
import type { PermGroupStore } from "../perm-group-store.js";

/** A sign-in must come back from the provider within this long. */
const PENDING_TTL_MS = 10 * 60_000;
/** The web UI or the CLI picks its session up within this long of the redirect. */
const HANDOFF_TTL_MS = 2 * 60_000;
/** After the provider could not be reached, the next try waits at least this long. */
const RETRY_AFTER_UNREACHABLE_MS = 30_000;

export const STATE_COOKIE = "kanade_sso_state";

interface Pending {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  challenge: string | undefined;
}

export interface SsoDeps {
  config: OidcConfig;
  provider: OidcProvider;
  store: SsoStore;
  accounts: AccountStore;
  tokens: SessionTokens;
  audit: Pick<Audit, "record">;
  log: Logger;
  clock: () => Date;
  /** Where `config.permGroups` puts SSO accounts; needed only when that mapping is set. */
  permGroups?: Pick<PermGroupStore, "get" | "ofAccount" | "setForAccount">;
}

export interface StartedSignIn {
  /** The provider's authorization URL to send the browser to. */
  location: string;
  /** Binds the answer to the browser that started (the callback must bring it back). */
  state: string;
}

export interface Sso {
  readonly name: string;
  /** Whether the state cookie needs `Secure` (the backend is reached over https). */
  readonly secureCookie: boolean;
  start(query: SsoStartQuery): Promise<StartedSignIn>;
  /** Takes the pending sign-in the state names; it works once. */
  takePending(state: string | undefined, cookieState: string | undefined): Promise<Pending>;
  /** Finishes a sign-in from the callback's query string: returns where to send the browser with the one-time handoff code. */
  finish(pending: Pending, search: string, caller: Caller): Promise<string>;
  handoff(body: SsoHandoff): Promise<LoginResponse>;
  /** Whether a session opened by SSO may go on; asks the provider when the last check is older than the interval. */
  sessionUsable(sessionId: string): Promise<boolean>;
}

const random = (): string => randomBytes(32).toString("base64url");
const sha256b64url = (s: string): string => createHash("sha256").update(s, "utf8").digest("base64url");
const sameText = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createSso(deps: SsoDeps): Sso {
  const { config, provider, store, accounts, tokens, audit, log, clock } = deps;
  /** One provider check per session at a time: parallel requests share it (a rotated refresh token is single-use). */
  const checks = new Map<string, Promise<boolean>>();
  const now = (): number => clock().getTime();
  const iso = (ms: number): string => new Date(ms).toISOString();
  const record = (caller: Caller, actor: string, action: string, payload: Record<string, unknown>): Promise<void> =>
    audit.record({ ...caller, actor }, { action, target: actor, payload });

  const refused = async (caller: Caller, who: string, reason: string, message: string): Promise<never> => {
    await record(caller, who, "auth.sso_refused", { reason, issuer: provider.issuer });
    throw new KanadeError("SSO_REFUSED", message);
  };

  /**
   * With `permGroups` mapped: the account's permission groups become those its claim values map to (admins are
   * never scoped: none). Groups the mapping names but nobody made are skipped, with a warning.
   */
  const syncPermGroups = async (account: AccountRecord, claims: Record<string, unknown>, caller: Caller): Promise<void> => {
    const mapping = config.permGroups;
    if (!mapping || !deps.permGroups) return;
    const store = deps.permGroups;
    const named = [...new Set(claimValues(claims, config.roleClaim).flatMap((v) => (Object.hasOwn(mapping, v) ? mapping[v]! : [])))];
    const missing = named.filter((g) => !store.get(g));
    if (missing.length) log.warn({ username: account.username, missing }, "the SSO permission-group mapping names groups that do not exist; skipped");
    const wanted = account.role === "admin" ? [] : named.filter((g) => !missing.includes(g)).sort();
    const current = store.ofAccount(account.account_id).map((g) => g.name).sort();
    if (wanted.join("\n") === current.join("\n")) return;
    store.setForAccount(account.account_id, wanted);
    await record(caller, account.username, "account.sso_perm_groups", { from: current, to: wanted });
  };

  /** The account the provider's person signs in as: found by (issuer, subject), or made just in time. */
  const accountFor = async (claims: Record<string, unknown>, role: Role, caller: Caller): Promise<AccountRecord> => {
    const subject = String(claims.sub);
    const at = clock().toISOString();
    const linked = await store.accountFor(provider.issuer, subject);
    // An admin blocks a person by disabling the account; deleting it lets them sign in afresh.
    if (linked !== undefined) {
      const account = await accounts.getAccountById(linked);
      // The store only names accounts that still exist: a deleted SSO account is made again below.
      if (!account) throw new Error("sso_accounts names a missing account");
      if (account.disabled) return refused(caller, account.username, "disabled", `The kanade account "${account.username}" is disabled; ask an admin`);
      if (account.role !== role) {
        await accounts.updateAccount(account.username, { role }, at);
        await record(caller, account.username, "account.sso_role_change", { from: account.role, to: role });
        return { ...account, role };
      }
      return account;
    }
    const username = usernameFromClaims(claims, config.usernameClaim);
    if (!username || RESERVED_USERNAMES.includes(username.toLowerCase())) {
      return refused(caller, subject, "no_username", `The provider's "${config.usernameClaim}" (or "email") claim is not a usable kanade username (letters, digits, . _ @ -; up to 64)`);
    }
    if (await accounts.getAccount(username)) {
      return refused(caller, username, "name_taken", `A kanade account named "${username}" already exists and was not made by single sign-on; an admin must rename or delete it first`);
    }
    const email = typeof claims.email === "string" && claims.email.length <= 254 ? claims.email : null;
    const made = await accounts.createAccount({ username, password_hash: SSO_PASSWORD_HASH, role, must_change_password: false, email }, at);
    const account = made ? await accounts.getAccount(username) : undefined;
    if (!account) return refused(caller, username, "name_taken", `A kanade account named "${username}" was just made by someone else; try again`);
    await store.link(account.account_id, provider.issuer, subject);
    await record(caller, username, "account.sso_create", { role, issuer: provider.issuer });
    return account;
  };

  /** Asks the provider whether the person still has their grant and a mapped group. */
  const check = async (sessionId: string): Promise<boolean> => {
    const row = await store.session(sessionId);
    if (!row) return true; // not an SSO session
    if (now() - Date.parse(row.checked_at) < config.refreshIntervalMs) return true;
    // Another request (here or on another backend) is asking the provider right now: go on meanwhile.
    if (!(await store.claimCheck(sessionId, row.checked_at, clock().toISOString()))) return true;
    const account = await accounts.getAccountById(row.account_id);
    if (!account) return false;
    const end = async (reason: string): Promise<false> => {
      await tokens.end(sessionId);
      await store.endSession(sessionId);
      await record(SYSTEM_CALLER, account.username, "auth.sso_session_ended", { reason, issuer: provider.issuer });
      log.info({ username: account.username, reason }, "single sign-on session ended at the provider's re-check");
      return false;
    };
    if (!row.refresh_token) return end("no_refresh_token");
    const subject = await store.subjectOf(row.account_id, provider.issuer);
    if (subject === undefined) return end("not_linked");
    let answer;
    try {
      answer = await provider.refresh(row.refresh_token, subject);
    } catch (err) {
      // The provider is down: the session goes on (the break-glass admin and local accounts need no provider
      // either), and is checked again shortly.
      log.warn({ err, username: account.username }, "could not re-check a single sign-on session with the provider; trying again later");
      await store.checked(sessionId, iso(now() - config.refreshIntervalMs + RETRY_AFTER_UNREACHABLE_MS), null);
      return true;
    }
    if (!answer.ok) return end(answer.reason);
    if (answer.claims) {
      const role = roleFromClaims(answer.claims, config);
      if (!role) return end("no_role");
      if (role !== account.role) {
        await accounts.updateAccount(account.username, { role }, clock().toISOString());
        await record(SYSTEM_CALLER, account.username, "account.sso_role_change", { from: account.role, to: role });
      }
      await syncPermGroups({ ...account, role }, answer.claims, SYSTEM_CALLER);
    }
    await store.checked(sessionId, clock().toISOString(), answer.refreshToken ?? null);
    return true;
  };

  return {
    name: config.name,
    secureCookie: config.redirectBaseUrl.startsWith("https:"),
    start: async (query) => {
      const begun = await provider.begin();
      await store.addPending(
        {
          state: begun.state,
          nonce: begun.nonce,
          code_verifier: begun.codeVerifier,
          return_to: query.return_to ?? "web",
          challenge: query.handoff_challenge ?? null,
          expires_at: iso(now() + PENDING_TTL_MS),
        },
        iso(now()),
      );
      return { location: begun.url.href, state: begun.state };
    },
    takePending: async (state, cookieState) => {
      const found = state ? await store.takePending(state) : undefined;
      if (!state || !found || Date.parse(found.expires_at) <= now()) {
        throw new KanadeError("SSO_FAILED", "This sign-in is unknown or has expired (wrong state, or more than 10 minutes passed); start again");
      }
      if (!cookieState || !sameText(cookieState, state)) {
        throw new KanadeError("SSO_FAILED", "This sign-in was started in another browser (its state does not match this browser's); start again here");
      }
      return { nonce: found.nonce, codeVerifier: found.code_verifier, returnTo: found.return_to, challenge: found.challenge ?? undefined };
    },
    finish: async (p, search, caller) => {
      // The URL the provider redirected to, as registered: openid-client sends it again as redirect_uri.
      const callbackUrl = new URL(provider.callbackUrl);
      callbackUrl.search = search;
      const { claims, refreshToken } = await provider.finish(callbackUrl, { state: callbackUrl.searchParams.get("state") ?? "", nonce: p.nonce, codeVerifier: p.codeVerifier });
      const who = typeof claims[config.usernameClaim] === "string" ? String(claims[config.usernameClaim]) : String(claims.sub);
      const role = roleFromClaims(claims, config);
      if (!role) {
        const values = claimValues(claims, config.roleClaim);
        const shown = values.length ? values.slice(0, 10).join(", ") + (values.length > 10 ? ", …" : "") : "none";
        return refused(
          caller,
          who,
          "no_role",
          `Signed in at the identity provider as "${who}", but no value of its "${config.roleClaim}" claim (${shown}) maps to a kanade role; ask an admin to add you to a group kanade maps`,
        );
      }
      const account = await accountFor(claims, role, caller);
      await syncPermGroups(account, claims, caller);
      await accounts.touchLogin(account.username, clock().toISOString());
      const session = await tokens.issue(account);
      await store.prune();
      await store.insertSession({ session_id: session.session_id, account_id: account.account_id, refresh_token: refreshToken ?? null, checked_at: clock().toISOString() });
      await record(caller, account.username, "auth.login", { role: account.role, method: "sso", issuer: provider.issuer });
      const code = random();
      await store.addHandoff(
        { code_hash: sha256b64url(code), answer: JSON.stringify(sessionAnswer(account, session)), challenge: p.challenge ?? null, expires_at: iso(now() + HANDOFF_TTL_MS) },
        iso(now()),
      );
      if (p.returnTo === "web") return `/sso#handoff=${code}`;
      return `${p.returnTo}?handoff=${code}`;
    },
    handoff: async (body) => {
      const key = sha256b64url(body.code);
      const h = await store.handoff(key);
      const gone = new KanadeError("SSO_FAILED", "This sign-in handoff code is unknown, used or expired; sign in again");
      if (!h || Date.parse(h.expires_at) <= now()) throw gone;
      if (h.challenge !== null && (!body.verifier || !sameText(sha256b64url(body.verifier), h.challenge))) {
        throw new KanadeError("SSO_FAILED", "The verifier does not match the challenge this sign-in was started with");
      }
      if (!(await store.useHandoff(key))) throw gone;
      return JSON.parse(h.answer) as LoginResponse;
    },
    sessionUsable: (sessionId) => {
      const running = checks.get(sessionId);
      if (running) return running;
      const p = check(sessionId).finally(() => checks.delete(sessionId));
      checks.set(sessionId, p);
      return p;
    },
  };
}
