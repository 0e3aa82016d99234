/** JSON-RPC 2.0 envelopes and KLP error codes (SPEC §10). Every frame is checked against these on receipt. */
import * as z from "zod";

export const KLP_PROTOCOL_VERSION = 1;

export const KLP_ERRORS = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  UNAUTHORIZED: -32000,
  NOT_FOUND: -32001,
  AGENT_DISCONNECTED: -32002,
  RATE_LIMIT: -32003,
  STALE_PROTOCOL: -32004,
  PAYLOAD_TOO_LARGE: -32005,
  /** maintenance.defer past what the schedule's user_defer or the occurrence allows; the message names the limit. */
  DEFER_REFUSED: -32006,
} as const;
export type KlpErrorCode = (typeof KLP_ERRORS)[keyof typeof KLP_ERRORS];

const rpcId = z.union([z.string().max(128), z.number().int().safe()]);

/** A call from the client. Notifications from the client (no id) are not part of KLP. */
export const klpRequestSchema = z
  .object({
    jsonrpc: z.literal("2.0"),
    id: rpcId,
    method: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type KlpRequest = z.infer<typeof klpRequestSchema>;

export const klpErrorObjectSchema = z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() });
export type KlpErrorObject = z.infer<typeof klpErrorObjectSchema>;

/** What the agent sends: a result, an error (id null when the request could not be read) or a push. */
export const klpServerMessageSchema = z.union([
  z.object({ jsonrpc: z.literal("2.0"), id: rpcId, result: z.unknown() }),
  z.object({ jsonrpc: z.literal("2.0"), id: rpcId.nullable(), error: klpErrorObjectSchema }),
  z.object({ jsonrpc: z.literal("2.0"), method: z.string(), params: z.unknown() }),
]);
export type KlpServerMessage = z.infer<typeof klpServerMessageSchema>;
