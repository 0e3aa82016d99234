/** The executions module's view of the broker: publish an execution's commands, withdraw them, look at EXEC. */
import { STREAMS, commandSchema, subjects } from "@kanade/protocol";
import type { Nats } from "../nats.js";
import type { Sealer } from "../signing/seal.js";
import { publishCommands, purgeExecCommands, type PublishLog } from "./publish.js";
import type { CommandPlan, ExecTarget } from "./types.js";

export interface ExecBroker {
  connected(): boolean;
  /** All or nothing (see publishCommands): throws NATS_UNAVAILABLE, or CommandsLeftQueuedError. */
  publish(plans: readonly CommandPlan[], log: PublishLog): Promise<void>;
  /** Tells running agents to stop (`kill.<exec_id>`) and purges the commands still queued; returns how many went. */
  withdraw(execId: string, target: ExecTarget, issuedBy: string, at: Date, log: PublishLog): Promise<number>;
  /** The exec_id of the newest command queued on a subject, if any. */
  newestExecOn(subject: string): Promise<string | undefined>;
}

export function natsExecBroker(nats: Nats, seal: Pick<Sealer, "kill">): ExecBroker {
  return {
    connected: () => nats.isConnected(),
    publish: (plans, log) => publishCommands(nats, plans, log, seal.kill),
    withdraw: async (execId, target, issuedBy, at, log) => {
      const msg = seal.kill({ exec_id: execId, issued_by: issuedBy, issued_at: at.toISOString() });
      nats.nc.publish(subjects.kill(execId), JSON.stringify(msg));
      await nats.nc.flush();
      return purgeExecCommands(nats, execId, target, log);
    },
    newestExecOn: async (subject) => {
      const m = await nats.jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject });
      if (!m) return undefined;
      const cmd = commandSchema.safeParse(m.json<unknown>());
      return cmd.success ? cmd.data.exec_id : undefined;
    },
  };
}
