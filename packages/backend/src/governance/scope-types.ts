/** The shape of a caller's scope (scope.ts builds it); a leaf module so `Caller` can name it without import cycles. */
import type { CallerScope, Capability } from "@kanade/protocol";

export interface Scope {
  permGroups: readonly string[];
  pcGroups: readonly string[];
  capabilities: ReadonlySet<Capability>;
  /** The PC is a member of one of the scope's PC groups. */
  has(pc: string): boolean;
  /** The PC group is one the scope names. */
  hasGroup(group: string): boolean;
  /** Every PC in scope now, sorted. */
  pcs(): string[];
  /** What `GET /api/auth/me` shows. */
  view(): CallerScope;
}
