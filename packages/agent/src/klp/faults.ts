/** A JSON-RPC error a handler answers with; anything else thrown becomes -32603 and is logged. */
import { KLP_ERRORS, type KlpErrorCode } from "@kanade/protocol/klp";

export class KlpFault extends Error {
  constructor(
    readonly code: KlpErrorCode,
    message: string,
    /** Close the connection after answering (a stale protocol, a frame that cannot be read). */
    readonly close = false,
  ) {
    super(message);
    this.name = "KlpFault";
  }
}

export const faults = {
  unauthorized: (m: string): KlpFault => new KlpFault(KLP_ERRORS.UNAUTHORIZED, m),
  notFound: (m: string): KlpFault => new KlpFault(KLP_ERRORS.NOT_FOUND, m),
  disconnected: (m = "the agent cannot reach the backend now; try again later"): KlpFault => new KlpFault(KLP_ERRORS.AGENT_DISCONNECTED, m),
};
