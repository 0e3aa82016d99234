/** Answers `agents.<pc>.logs` with the tail of the agent's log ring. */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { agentLogsRequestSchema, subjects, type AgentLogsReply } from "@kanade/protocol/wire";
import type { LogRing } from "./log-ring.js";

/** Replies stay well under the default 1 MiB NATS payload limit. */
const REPLY_MAX_BYTES = 900 * 1024;

export function serveLogTail(deps: { nc: NatsConnection; pcId: string; ring: LogRing; log: Logger }): Subscription {
  return deps.nc.subscribe(subjects.agentLogs(deps.pcId), {
    callback: (err, msg) => {
      if (err) {
        deps.log.warn({ err }, "log tail subscription error");
        return;
      }
      let body: unknown = {};
      try {
        body = msg.data.length ? msg.json<unknown>() : {};
      } catch (e) {
        deps.log.warn({ err: e }, "log tail request is not JSON; using defaults");
      }
      const req = agentLogsRequestSchema.safeParse(body);
      const tail = req.success ? req.data.tail : 200;
      const { lines, truncated } = deps.ring.tail(tail, REPLY_MAX_BYTES);
      const reply: AgentLogsReply = { pc_id: deps.pcId, lines, truncated };
      msg.respond(JSON.stringify(reply));
    },
  });
}
