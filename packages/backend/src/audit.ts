/** Audit trail: every mutation is published to the AUDIT stream; a failed publish is logged, never fatal. */
import { subjects } from "@kanade/protocol";
import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import type { Nats } from "./nats.js";

const AUDIT_TIMEOUT_MS = 2_000;

export interface AuditEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  payload_summary: Record<string, unknown>;
  source_ip: string | null;
}

export type Audit = (req: FastifyRequest, action: string, target: string, payload?: Record<string, unknown>) => Promise<void>;

export function createAudit(deps: { nats: Nats; log: Logger; clock: () => Date }): Audit {
  return async (req, action, target, payload = {}) => {
    const event: AuditEvent = {
      id: uuidv7(),
      at: deps.clock().toISOString(),
      actor: req.actor,
      action,
      target,
      payload_summary: payload,
      source_ip: req.ip ?? null,
    };
    try {
      await deps.nats.js.publish(subjects.audit(action), JSON.stringify(event), { msgID: event.id, timeout: AUDIT_TIMEOUT_MS });
    } catch (err) {
      deps.log.warn({ err, action, target }, "audit publish failed");
    }
  };
}
