/**
 * `[oidc]` in the backend's TOML file, each key overridable by `KANADE_OIDC_<KEY>`; the client secret comes
 * from `KANADE_OIDC_CLIENT_SECRET` only (like the SMTP password, the file refuses it). No issuer: no SSO.
 */
import { z } from "zod";
import { KanadeError, MAX_TIMER_MS, PERM_GROUP_RE, isDuration, parseDurationMs, permGroupNameSchema, roleSchema, type Role } from "@kanade/protocol";

export interface OidcConfig {
  /** The provider's issuer URL; its `/.well-known/openid-configuration` is read at the first sign-in. */
  issuer: string;
  clientId: string;
  /** From KANADE_OIDC_CLIENT_SECRET only; unset: a public client (PKCE alone). */
  clientSecret?: string;
  /** The address browsers reach the backend at; the provider redirects to `<this>/api/auth/oidc/callback`. */
  redirectBaseUrl: string;
  /** The claim (in the ID token or userinfo) that lists the person's groups or roles (default `groups`). */
  roleClaim: string;
  /** Claim value → kanade role; a person in several mapped groups gets the highest role. */
  roles: Record<string, Role>;
  /**
   * Claim value → permission groups (same claim as the roles). Set: a non-admin SSO account's permission groups
   * follow the claim at every sign-in and refresh check. Unset: admins assign them by hand.
   */
  permGroups?: Record<string, string[]>;
  /** The claim the kanade username is made from (default `preferred_username`, then `email`). */
  usernameClaim: string;
  /** Scopes asked for (default `openid profile email offline_access`: offline_access brings the refresh token). */
  scopes: string;
  /** What the sign-in button says: "Sign in with <name>" (default "SSO"). */
  name: string;
  /** How often a session's provider sign-in is checked again with the refresh token (default 5m). */
  refreshIntervalMs: number;
}

export const OIDC_DEFAULTS = {
  roleClaim: "groups",
  usernameClaim: "preferred_username",
  scopes: "openid profile email offline_access",
  name: "SSO",
  refreshInterval: "5m",
} as const;

export const oidcFileSchema = z
  .object({
    issuer: z.string().url(),
    client_id: z.string().min(1),
    redirect_base_url: z.string().url(),
    role_claim: z.string().min(1),
    roles: z.record(z.string().min(1), roleSchema),
    perm_groups: z.record(z.string().min(1), z.array(permGroupNameSchema)),
    username_claim: z.string().min(1),
    scopes: z.string().min(1),
    name: z.string().min(1).max(64),
    refresh_interval: z.string().refine(isDuration, { message: "expected a duration like 5m" }),
    // The secret stays out of the file: KANADE_OIDC_CLIENT_SECRET only.
    client_secret: z.never({ message: "oidc.client_secret is not read from the file; set KANADE_OIDC_CLIENT_SECRET in the backend's environment" }),
  })
  .partial()
  .strict();
export type OidcFileConfig = z.infer<typeof oidcFileSchema>;

const invalid = (path: string, message: string): KanadeError => new KanadeError("INVALID_CONFIG", message, { details: [{ path, message }] });
const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === "" ? undefined : v.trim());

/** Plain http is for a provider on this machine only (tests, a local Keycloak): tokens would cross the network in clear. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]");
}

function httpUrl(text: string, key: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(key, `${key}: ${what} must be an http(s):// URL, got "${text}"`);
  }
  if (url.protocol !== "https:" && !isLoopbackHttp(url)) {
    throw invalid(key, `${key}: ${what} must use https:// (plain http only on 127.0.0.1 or localhost), got "${text}"`);
  }
  return text.replace(/\/+$/, "");
}

/** `KANADE_OIDC_ROLES`: `group=role` pairs separated by commas, e.g. `kanade-admins=admin,helpdesk=viewer`. */
/** `KANADE_OIDC_PERM_GROUPS`: `claim-value=group[|group…]` pairs separated by commas. */
function parsePermGroupsEnv(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pair of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf("=");
    const value = pair.slice(0, eq).trim();
    const groups = pair.slice(eq + 1).split("|").map((g) => g.trim());
    if (eq <= 0 || !value || groups.some((g) => !PERM_GROUP_RE.test(g))) {
      throw invalid("KANADE_OIDC_PERM_GROUPS", `KANADE_OIDC_PERM_GROUPS: expected claim-value=group[|group…] pairs separated by commas, got "${pair}"`);
    }
    out[value] = [...(out[value] ?? []), ...groups];
  }
  return out;
}

function parseRolesEnv(text: string): Record<string, Role> {
  const out: Record<string, Role> = {};
  for (const pair of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf("=");
    const value = pair.slice(0, eq).trim();
    const role = roleSchema.safeParse(pair.slice(eq + 1).trim());
    if (eq <= 0 || !value || !role.success) {
      throw invalid("KANADE_OIDC_ROLES", `KANADE_OIDC_ROLES: expected claim-value=role pairs (admin, operator or viewer) separated by commas, got "${pair}"`);
    }
    out[value] = role.data;
  }
  return out;
}

export function loadOidcConfig(env: NodeJS.ProcessEnv, file: OidcFileConfig | undefined): OidcConfig | undefined {
  const f = file ?? {};
  const pick = (envKey: string, fileKey: keyof OidcFileConfig): { value: string | undefined; key: string } => {
    const fromEnv = nonEmpty(env[envKey]);
    const fromFile = f[fileKey];
    return fromEnv !== undefined ? { value: fromEnv, key: envKey } : { value: typeof fromFile === "string" ? fromFile : undefined, key: `oidc.${fileKey}` };
  };
  const issuer = pick("KANADE_OIDC_ISSUER", "issuer");
  if (issuer.value === undefined) {
    const stray = Object.keys(f).length > 0 ? "oidc.issuer" : nonEmpty(env.KANADE_OIDC_CLIENT_ID) ? "KANADE_OIDC_ISSUER" : undefined;
    if (stray) throw invalid(stray, `${stray}: the provider's issuer URL is required for single sign-on (KANADE_OIDC_ISSUER or oidc.issuer)`);
    return undefined;
  }
  const clientId = pick("KANADE_OIDC_CLIENT_ID", "client_id");
  if (clientId.value === undefined) throw invalid("KANADE_OIDC_CLIENT_ID", "KANADE_OIDC_CLIENT_ID (or oidc.client_id): the client id registered at the provider is required with an issuer");
  const base = pick("KANADE_OIDC_REDIRECT_BASE_URL", "redirect_base_url");
  if (base.value === undefined) {
    throw invalid(
      "KANADE_OIDC_REDIRECT_BASE_URL",
      "KANADE_OIDC_REDIRECT_BASE_URL (or oidc.redirect_base_url): the address browsers open kanade at is required with an issuer; register <it>/api/auth/oidc/callback at the provider",
    );
  }
  const roles = nonEmpty(env.KANADE_OIDC_ROLES) !== undefined ? parseRolesEnv(env.KANADE_OIDC_ROLES!) : (f.roles ?? {});
  if (Object.keys(roles).length === 0) {
    throw invalid("KANADE_OIDC_ROLES", "KANADE_OIDC_ROLES (or [oidc.roles]): map at least one group or role claim value to admin, operator or viewer");
  }
  const permGroups = nonEmpty(env.KANADE_OIDC_PERM_GROUPS) !== undefined ? parsePermGroupsEnv(env.KANADE_OIDC_PERM_GROUPS!) : f.perm_groups;
  const interval = pick("KANADE_OIDC_REFRESH_INTERVAL", "refresh_interval");
  const refreshText = interval.value ?? OIDC_DEFAULTS.refreshInterval;
  const refreshIntervalMs = parseDurationMs(refreshText);
  if (refreshIntervalMs === undefined || refreshIntervalMs < 1_000 || refreshIntervalMs > MAX_TIMER_MS) {
    throw invalid(interval.key, `${interval.key}: expected a duration from 1s up to 24d like 5m, got "${refreshText}"`);
  }
  const secret = nonEmpty(env.KANADE_OIDC_CLIENT_SECRET);
  return {
    issuer: httpUrl(issuer.value, issuer.key, "the issuer"),
    clientId: clientId.value,
    ...(secret ? { clientSecret: secret } : {}),
    redirectBaseUrl: httpUrl(base.value, base.key, "the redirect base URL"),
    roleClaim: pick("KANADE_OIDC_ROLE_CLAIM", "role_claim").value ?? OIDC_DEFAULTS.roleClaim,
    roles,
    ...(permGroups && Object.keys(permGroups).length > 0 ? { permGroups } : {}),
    usernameClaim: pick("KANADE_OIDC_USERNAME_CLAIM", "username_claim").value ?? OIDC_DEFAULTS.usernameClaim,
    scopes: pick("KANADE_OIDC_SCOPES", "scopes").value ?? OIDC_DEFAULTS.scopes,
    name: pick("KANADE_OIDC_NAME", "name").value ?? OIDC_DEFAULTS.name,
    refreshIntervalMs,
  };
}
