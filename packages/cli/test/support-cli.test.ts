/**
 * `kanade support`: bundles a PC sent for a local user (here handed to the real backend on the agent's subject,
 * as the agent does) listed and shown by the real CLI; what came from the PC cannot drive the terminal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { subjects } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, type NatsServer, type TestBackend } from "@kanade/testkit";

let nats: NatsServer;
let backend: TestBackend;
let nc: NatsConnection;
const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await backend?.close();
  await nats?.dispose();
});

describe("kanade support", () => {
  it("lists bundles newest first, filters by PC, and shows one with its log tail escaped", async () => {
    const send = async (pc: string, note: string): Promise<string> => {
      const bundle = { user: "uid:1000", note, created_at: new Date().toISOString(), agent_version: "0.1.0", state: { pc_id: pc }, log_tail: ['{"msg":"agent ready"}', "\x1b]0;OWNED\x07"], runs: [] };
      const reply = (await nc.request(subjects.klpSupport(pc), JSON.stringify(bundle), { timeout: 5_000 })).json<{ ok: boolean; bundle_id: string }>();
      expect(reply.ok).toBe(true);
      return reply.bundle_id;
    };
    const first = await send("sup-pc-1", "VPN drops");
    const second = await send("sup-pc-2", "printer \x1b[31mred");

    const all = JSON.parse((await kanade("support", "--json")).stdout) as { id: string }[];
    expect(all.map((b) => b.id)).toEqual([second, first]);
    const one = await kanade("support", "--pc", "sup-pc-1");
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(first);
    expect(one.stdout).not.toContain(second);

    const shown = await kanade("support", second);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("from sup-pc-2, uid:1000");
    expect(shown.stdout).toContain("note: printer \\x1b[31mred");
    expect(shown.stdout).toContain('{"msg":"agent ready"}');
    expect(shown.stdout).toContain("\\x1b]0;OWNED\\x07");
    expect(shown.stdout).not.toContain("\x1b");

    const missing = await kanade("support", "0190c7a2-1111-7000-8000-000000000000");
    expect(missing.code).toBe(1);
  });
});
