/** Account passwords (argon2id), the bootstrap admin, and session-token → identity resolution. */
import { hash, verify } from "@node-rs/argon2";
import type { Identity, Role } from "@kanade/protocol";
import type { Logger } from "pino";
import type { SessionResolver } from "../auth.js";
import type { GovernanceStore } from "../db/governance.js";
import type { TokenIssuer } from "./tokens.js";

/** @node-rs/argon2 defaults to argon2id (m=19 MiB, t=2, p=1), the OWASP baseline. */
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function passwordMatches(stored: string, presented: string): Promise<boolean> {
  return verify(stored, presented);
}

/** Creates the first admin on a database without accounts; it must change its password at first login. */
export async function ensureBootstrapAdmin(
  store: GovernanceStore,
  admin: { username: string; password: string } | undefined,
  now: Date,
  log: Logger,
): Promise<boolean> {
  if (!admin || store.accountCount() > 0) return false;
  const created = store.createAccount(
    { username: admin.username, password_hash: await hashPassword(admin.password), role: "admin", must_change_password: true },
    now.toISOString(),
  );
  if (created) log.warn({ username: admin.username }, "bootstrap admin created; it must change its password at first login");
  return created;
}

export function sessionResolver(store: GovernanceStore, tokens: TokenIssuer): SessionResolver {
  return async (token) => {
    const username = await tokens.verify(token);
    if (!username) return undefined;
    const a = store.getAccount(username);
    // A disabled or deleted account loses its sessions at once.
    if (!a || a.disabled) return undefined;
    const identity: Identity = { actor: a.username, role: a.role as Role, kind: "account", must_change_password: a.must_change_password };
    return identity;
  };
}
