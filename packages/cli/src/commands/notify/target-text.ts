/** A notification's target in one line: `all`, `groups a,b`, `pcs x,y`. */
import type { FleetTarget } from "@kanade/protocol";

export const targetText = (t: FleetTarget): string =>
  [t.all ? "all" : "", t.groups ? `groups ${t.groups.join(",")}` : "", t.pcs ? `pcs ${t.pcs.join(",")}` : ""].filter(Boolean).join("; ");
