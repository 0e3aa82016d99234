/** The exec_id of an agent-side occurrence: UUID v5, derived exactly as the agent derives it (schedule-order.ts). */
import { SCHEDULE_EXEC_NAMESPACE, scheduleExecName } from "@kanade/protocol";
import { v5 as uuidv5 } from "uuid";

export const agentExecId = (scheduleId: string, sinceMs: number, occurrence: string): string =>
  uuidv5(scheduleExecName(scheduleId, new Date(sinceMs).toISOString(), occurrence), SCHEDULE_EXEC_NAMESPACE);
