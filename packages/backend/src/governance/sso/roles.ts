/** From the provider's claims to kanade: the role a group claim maps to, and the username to use. */
import { ROLES, USERNAME_RE, type Role } from "@kanade/protocol";
import type { OidcConfig } from "../../config-oidc.js";
import type { Claims } from "./provider.js";

/** The claim's values: a list (groups, roles), or one string (several separated by spaces or commas). */
export function claimValues(claims: Claims, claim: string): string[] {
  // Dotted names reach into objects, e.g. Keycloak's `realm_access.roles`.
  let v: unknown = claims;
  for (const part of claim.split(".")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  if (typeof v === "string") return v.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The highest role any of the person's claim values maps to; undefined when none maps. */
export function roleFromClaims(claims: Claims, config: Pick<OidcConfig, "roleClaim" | "roles">): Role | undefined {
  const mapped = claimValues(claims, config.roleClaim).flatMap((v) => (Object.hasOwn(config.roles, v) ? [config.roles[v]!] : []));
  // ROLES lists viewer → admin; the highest index wins.
  return mapped.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
}

/** The kanade username: the configured claim, else the e-mail address; undefined when neither is a valid username. */
export function usernameFromClaims(claims: Claims, usernameClaim: string): string | undefined {
  for (const key of [usernameClaim, "email"]) {
    const v = claims[key];
    if (typeof v === "string" && USERNAME_RE.test(v)) return v;
  }
  return undefined;
}
