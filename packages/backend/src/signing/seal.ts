/** Sealing what the backend sends agents: every Command and kill message carries a signature agents verify. */
import { KILL_VALIDITY_MS, type Command, type KillMessage } from "@kanade/protocol";
import type { CommandSigner } from "./keys.js";

export type UnsignedCommand = Omit<Command, "signature" | "expires_at">;

export interface Sealer {
  /** Adds `expires_at` (issued_at + the command's lifetime) and the signature over everything else. */
  command(c: UnsignedCommand): Command;
  kill(k: { exec_id: string; issued_by: string; issued_at: string }): KillMessage;
}

export function sealer(signer: Pick<CommandSigner, "sign">, commandLifetimeMs: number): Sealer {
  return {
    command: (c) => {
      const unsigned = { ...c, expires_at: new Date(Date.parse(c.issued_at) + commandLifetimeMs).toISOString() };
      return { ...unsigned, signature: signer.sign("command", unsigned) };
    },
    kill: (k) => {
      const unsigned = { ...k, expires_at: new Date(Date.parse(k.issued_at) + KILL_VALIDITY_MS).toISOString() };
      return { ...unsigned, signature: signer.sign("kill", unsigned) };
    },
  };
}
