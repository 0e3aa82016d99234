/** Mints an agent's broker credential: a user JWT for its own public key, named by its pc_id, signed by the scoped agent key. */
import { KanadeError, PC_ID_RE } from "@kanade/protocol";
import { publicKeyKind } from "@kanade/protocol/nkeys";
import { userJwt } from "./jwt.js";
import type { AuthMaterial } from "./material.js";

export function mintAgentJwt(m: AuthMaterial, pcId: string, userPublicKey: string, now?: Date): string {
  // The template puts the name into subjects: a name that is not a plain token (`*`, `a.b`) would widen them.
  if (!PC_ID_RE.test(pcId)) throw new KanadeError("BAD_REQUEST", `pc_id "${pcId}" is not valid`, { details: [{ path: "pc_id", message: "not a valid pc_id" }] });
  if (publicKeyKind(userPublicKey) !== "user") {
    throw new KanadeError("BAD_REQUEST", "public_key is not a NATS user public key (U…)", { details: [{ path: "public_key", message: "not a user nkey" }] });
  }
  return userJwt(m.agentSigner, m.account.publicKey, userPublicKey, pcId, undefined, now);
}
