/** Who asks for a change, as use-case modules see it: plain values taken from the request at the route. */
import type { Role } from "@kanade/protocol";
import type { Scope } from "./governance/scope-types.js";

export interface Caller {
  /** Username, "static-token", "anonymous" (auth disabled) or "system" (the backend itself). */
  actor: string;
  role: Role;
  sourceIp: string | null;
  /** Set for an account in permission groups: the PCs and capabilities it is limited to. */
  scope?: Scope;
}

/** The backend acting on its own (expiry sweeps, crash recovery). */
export const SYSTEM_CALLER: Caller = { actor: "system", role: "admin", sourceIp: null };
