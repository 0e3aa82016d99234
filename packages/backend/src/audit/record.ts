/** Builds one audit record: who, what, on what, from where, when. */
import type { AuditRecord } from "@kanade/protocol";
import { v7 as uuidv7 } from "uuid";
import type { Caller } from "../caller.js";

export interface AuditEntry {
  action: string;
  target: string;
  payload?: Record<string, unknown>;
}

export function auditRecord(caller: Caller, entry: AuditEntry, at: Date): AuditRecord {
  return {
    id: uuidv7(),
    at: at.toISOString(),
    actor: caller.actor,
    action: entry.action,
    target: entry.target,
    payload_summary: entry.payload ?? {},
    source_ip: caller.sourceIp,
  };
}
