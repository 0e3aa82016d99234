import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { KLP_ERRORS, type StateSnapshot } from "@kanade/protocol/klp";
import { KlpCallError, KlpClient } from "@kanade/protocol/klp-client";
import { tempDir, waitFor } from "@kanade/testkit";
import type { BackendGateway } from "./backend-gateway.js";
import { faults } from "./faults.js";
import type { KlpServices } from "./handlers.js";
import { RunRegistry } from "./runs.js";
import { startKlpServer, type KlpServer } from "./server.js";
import { SupportUploads } from "./support.js";

const self = process.getuid?.() ?? 0;
const cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A KLP server in this process on a temp dir, with fake services, and one client on this uid's socket. */
async function serve(svc: Partial<KlpServices> & { backend: BackendGateway }, clientName?: string): Promise<KlpClient> {
  const dir = tempDir("kanade-klp-server-");
  cleanup.push(() => dir.remove());
  const runs = svc.runs ?? new RunRegistry();
  const server: KlpServer | undefined = await startKlpServer(
    { dir: dir.join("klp"), usersDir: dir.join("none") },
    {
      pcId: "pc-1",
      agentVersion: "1.2.3",
      runs,
      support: new SupportUploads({ backend: svc.backend, runs, agentVersion: "1.2.3", logTail: () => [] }),
      state: () => ({ pc_id: "pc-1", online: true, agent_version: "1.2.3", health: [], pending_updates: [] }),
      ...svc,
    },
    pino({ level: "silent" }),
  );
  cleanup.push(() => server?.stop());
  const client = await KlpClient.connect(dir.join("klp", `${self}.sock`), { clientVersion: "2.0.0", ...(clientName ? { clientName } : {}) });
  cleanup.push(() => client.close());
  return client;
}

const codeOf = (p: Promise<unknown>): Promise<number | undefined> => p.then(() => undefined, (e: unknown) => (e instanceof KlpCallError ? e.code : -1));

describe.skipIf(process.platform === "win32")("KLP server (in process)", () => {
  it("tells the agent the version of a kanade-client that shook hands, and not of other KLP callers", async () => {
    const seen: string[] = [];
    const backend = { catalog: () => Promise.resolve([]), execute: () => Promise.reject(faults.disconnected()), kill: () => Promise.reject(faults.disconnected()), uploadSupport: () => Promise.reject(faults.disconnected()) };
    await serve({ backend, onClientVersion: (v) => void seen.push(v) });
    expect(seen).toEqual([]);
    await serve({ backend, onClientVersion: (v) => void seen.push(v) }, "kanade-client");
    expect(seen).toEqual(["2.0.0"]);
  });

  it("pushes state.changed to subscribers when the state changes, and maps an unreachable backend to AgentDisconnected", async () => {
    let online = true;
    const client = await serve({
      backend: { catalog: () => Promise.reject(faults.disconnected()), execute: () => Promise.reject(faults.disconnected()), kill: () => Promise.reject(faults.disconnected()), uploadSupport: () => Promise.reject(faults.disconnected()) },
      state: () => ({ pc_id: "pc-1", online, agent_version: "1.2.3", health: [{ name: "broker", ok: online }], pending_updates: [] }),
    });
    const pushes: StateSnapshot[] = [];
    client.on("state.changed", (p) => pushes.push(p as StateSnapshot));
    expect(await client.call("state.subscribe")).toMatchObject({ subscribed: true, snapshot: { online: true, client_version: "2.0.0" } });
    online = false;
    await waitFor(() => pushes.length > 0, { what: "a state.changed push" });
    expect(pushes[0]).toMatchObject({ online: false, client_version: "2.0.0", health: [{ name: "broker", ok: false }] });
    expect(await codeOf(client.call("jobs.list"))).toBe(KLP_ERRORS.AGENT_DISCONNECTED);
  });

  it("refuses a sixth run while a user has five waiting or running", async () => {
    const runs = new RunRegistry();
    let n = 0;
    const client = await serve({
      runs,
      backend: { catalog: () => Promise.resolve([]), execute: () => Promise.resolve(`0190c7a2-1111-7000-8000-00000000000${n++}`), kill: () => Promise.resolve(), uploadSupport: () => Promise.resolve("b") },
    });
    for (let i = 0; i < 5; i++) await client.call("jobs.execute", { job_id: "fix-vpn" });
    expect(await codeOf(client.call("jobs.execute", { job_id: "fix-vpn" }))).toBe(KLP_ERRORS.RATE_LIMIT);
    runs.observe({ exec_id: "0190c7a2-1111-7000-8000-000000000000", job_id: "fix-vpn", state: "finished", status: "succeeded" });
    expect(await client.call("jobs.execute", { job_id: "fix-vpn" })).toEqual({ exec_id: "0190c7a2-1111-7000-8000-000000000005" });
  });
});
