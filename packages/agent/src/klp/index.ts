/** KLP in the agent: wiring the server to the agent's node, broker connection and views. */
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { natsBackendGateway } from "./backend-gateway.js";
import { RunRegistry } from "./runs.js";
import { SupportUploads } from "./support.js";
import { startKlpServer, type KlpServer, type KlpSettings } from "./server.js";
import { agentState, type StateSources } from "./state.js";
import type { KlpNotices, KlpServices } from "./handlers.js";

export type { KlpServer, KlpSettings } from "./server.js";
export { RunRegistry } from "./runs.js";

export interface StartKlpDeps extends StateSources {
  nc: NatsConnection;
  log: Logger;
  runs: RunRegistry;
  notices?: KlpNotices;
  maintenance?: KlpServices["maintenance"];
  /** The newest agent log lines, oldest first (support bundles). */
  logTail(lines: number): string[];
  /** Called with the version kanade-client (client_name "kanade-client") sends in its handshake. */
  onClientVersion?(version: string): void;
}

export function startKlp(settings: KlpSettings, deps: StartKlpDeps): Promise<KlpServer | undefined> {
  const log = deps.log.child({ component: "klp" });
  const backend = natsBackendGateway({ nc: deps.nc, pcId: deps.pcId, log, isConnected: deps.isConnected });
  return startKlpServer(
    settings,
    {
      pcId: deps.pcId,
      agentVersion: deps.agentVersion,
      runs: deps.runs,
      backend,
      ...(deps.notices ? { notices: deps.notices } : {}),
      ...(deps.maintenance ? { maintenance: deps.maintenance } : {}),
      support: new SupportUploads({ backend, runs: deps.runs, agentVersion: deps.agentVersion, logTail: deps.logTail }),
      state: () => agentState(deps),
      ...(deps.onClientVersion ? { onClientVersion: deps.onClientVersion } : {}),
    },
    log,
  );
}
