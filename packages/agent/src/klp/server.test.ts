import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { KLP_ERRORS, type StateSnapshot } from "@kanade/protocol/klp";
import { KlpCallError, KlpClient } from "@kanade/protocol/klp-client";
import { tempDir, waitFor } from "@kanade/testkit";
import type { BackendGateway } from "./backend-gateway.js";
import { faults } from "./faults.js";
import { RunRegistry } from "./runs.js";
import { startKlpServer } from "./server.js";

const self = process.getuid?.() ?? 0;

describe.skipIf(process.platform === "win32")("KLP server (in process)", () => {
  it("pushes state.changed to subscribers when the state changes, and maps an unreachable backend to AgentDisconnected", async () => {
    const dir = tempDir("kanade-klp-server-");
    let online = true;
    const backend: BackendGateway = {
      catalog: () => Promise.reject(faults.disconnected()),
      execute: () => Promise.reject(faults.disconnected()),
      kill: () => Promise.reject(faults.disconnected()),
    };
    const server = await startKlpServer(
      { dir: dir.join("klp"), usersDir: dir.join("none") },
      {
        pcId: "pc-1",
        agentVersion: "1.2.3",
        runs: new RunRegistry(),
        backend,
        state: () => ({ pc_id: "pc-1", online, agent_version: "1.2.3", health: [{ name: "broker", ok: online }], pending_updates: [] }),
      },
      pino({ level: "silent" }),
    );
    const client = await KlpClient.connect(dir.join("klp", `${self}.sock`), { clientVersion: "2.0.0" });
    try {
      const pushes: StateSnapshot[] = [];
      client.on("state.changed", (p) => pushes.push(p as StateSnapshot));
      expect(await client.call("state.subscribe")).toMatchObject({ subscribed: true, snapshot: { online: true, client_version: "2.0.0" } });
      online = false;
      await waitFor(() => pushes.length > 0, { what: "a state.changed push" });
      expect(pushes[0]).toMatchObject({ online: false, client_version: "2.0.0", health: [{ name: "broker", ok: false }] });
      const err = await client.call("jobs.list").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KlpCallError);
      expect((err as KlpCallError).code).toBe(KLP_ERRORS.AGENT_DISCONNECTED);
    } finally {
      client.close();
      await server?.stop();
      dir.remove();
    }
  });
});
