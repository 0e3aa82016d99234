/**
 * All-or-nothing exec publishing and seq-bounded kill purges, against a real nats-server. A partial PubAck
 * failure cannot be provoked on a healthy broker, so the publish function is injected; EXEC is real.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimeoutError, type NatsConnection } from "@nats-io/transport-node";
import { KanadeError, STREAMS, commandSchema, killMessageSchema, parseManifestYaml, subjects, type Command, type KillMessage } from "@kanade/protocol";
import type { UnsignedCommand } from "../src/signing/seal.js";
import { startNatsServer, waitFor, type NatsServer } from "@kanade/testkit";
import { v7 as uuidv7 } from "uuid";
import { bootstrap, wrapConnection, type Nats } from "../src/index.js";
import {
  CommandsLeftQueuedError,
  jetStreamPublish,
  planCommands,
  publishCommands,
  purgeExecCommands,
  type CommandPlan,
  type ExecTarget,
  type PublishCommand,
} from "../src/executions/publish.js";
import { HELLO_YAML, natsClient, quietLog } from "./helpers.js";

const parsed = parseManifestYaml(HELLO_YAML);
if (!parsed.ok) throw new Error("HELLO_YAML must parse");
const manifest = parsed.manifest;

const unsigned = { command: (c: UnsignedCommand) => c as Command, kill: (k: KillMessage) => k };
const plan = (target: ExecTarget, execId = uuidv7()): CommandPlan[] =>
  planCommands({ manifest, execId, request: {}, target, issuedAt: new Date(), issuedBy: "ops", seal: unsigned.command });

describe("exec publishing", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let nats: Nats;

  const lastExecOn = async (subject: string): Promise<string | undefined> => {
    const m = await nats.jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject });
    return m ? commandSchema.parse(m.json()).exec_id : undefined;
  };

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await natsClient(server.url);
    nats = await wrapConnection(nc, quietLog());
    await bootstrap(nats, quietLog());
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it("withdraws the acknowledged commands and sends a kill when one publish fails", async () => {
    const plans = plan({ pcs: ["pp-a", "pp-b", "pp-c"] });
    const execId = plans[0]!.command.exec_id;
    const kills: unknown[] = [];
    const sub = nc.subscribe(subjects.kill(execId), { callback: (_e, m) => void kills.push(m.json()) });
    await nc.flush();

    const real = jetStreamPublish(nats);
    const failing: PublishCommand = (p) => (p.subject === subjects.commandsPc("pp-b") ? Promise.reject(new TimeoutError()) : real(p));
    const err = await publishCommands(nats, plans, quietLog(), unsigned.kill, failing).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KanadeError);
    expect(err).not.toBeInstanceOf(CommandsLeftQueuedError);
    expect((err as KanadeError).code).toBe("NATS_UNAVAILABLE");
    expect((err as KanadeError).message).toContain("nothing was queued");

    // Nothing of this exec is left for an agent that connects later…
    for (const pc of ["pp-a", "pp-b", "pp-c"]) expect(await lastExecOn(subjects.commandsPc(pc))).toBeUndefined();
    // …and an agent that already received one is told to stop.
    await waitFor(() => kills.length === 1, { what: "kill message" });
    expect(killMessageSchema.parse(kills[0])).toMatchObject({ exec_id: execId, issued_by: "ops" });
    sub.unsubscribe();
  });

  it("publishes every command when all PubAcks arrive", async () => {
    const plans = plan({ pcs: ["pp-d"], groups: ["pp-lab"] });
    await publishCommands(nats, plans, quietLog(), unsigned.kill);
    expect(await lastExecOn(subjects.commandsPc("pp-d"))).toBe(plans[0]!.command.exec_id);
    expect(await lastExecOn(subjects.commandsGroup("pp-lab"))).toBe(plans[0]!.command.exec_id);
  });

  it("says commands may be left queued when the withdrawal fails too", async () => {
    const plans = plan({ pcs: ["pp-e", "pp-f"] });
    const brokenPurge = Object.assign(Object.create(nats.jsm.streams) as typeof nats.jsm.streams, {
      purge: () => Promise.reject(new TimeoutError()),
    });
    const broken: Nats = { ...nats, jsm: Object.assign(Object.create(nats.jsm) as typeof nats.jsm, { streams: brokenPurge }) };
    const real = jetStreamPublish(nats);
    const failing: PublishCommand = (p) => (p.subject === subjects.commandsPc("pp-f") ? Promise.reject(new TimeoutError()) : real(p));
    const err = await publishCommands(broken, plans, quietLog(), unsigned.kill, failing).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommandsLeftQueuedError);
    expect((err as CommandsLeftQueuedError).queuedSubjects).toEqual([subjects.commandsPc("pp-e")]);
    expect((err as CommandsLeftQueuedError).status).toBe(503);
  });

  it("offers a command again when its acknowledgement timed out on a live connection, and JetStream keeps one copy", async () => {
    const [p] = plan({ pcs: ["pp-slow"] });
    const before = (await nats.jsm.streams.info(STREAMS.EXEC)).state.messages;
    let calls = 0;
    // The first publish reaches the stream but its PubAck is lost (as when a busy leader answers too late).
    const lossy = Object.assign(Object.create(nats.js) as typeof nats.js, {
      publish: async (...args: Parameters<typeof nats.js.publish>) => {
        calls += 1;
        const ack = await nats.js.publish(...args);
        if (calls === 1) throw new TimeoutError();
        return ack;
      },
    });
    await jetStreamPublish({ ...nats, js: lossy })(p!);
    expect(calls).toBe(2);
    expect(await lastExecOn(subjects.commandsPc("pp-slow"))).toBe(p!.command.exec_id);
    expect((await nats.jsm.streams.info(STREAMS.EXEC)).state.messages).toBe(before + 1);

    // Disconnected, a timeout is the broker's answer: no second try.
    calls = 0;
    const [q] = plan({ pcs: ["pp-slow"] });
    const err = await jetStreamPublish({ ...nats, js: lossy, isConnected: () => false })(q!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(calls).toBe(1);
  });

  it("a kill purge leaves a newer exec that lands between its read and its purge", async () => {
    const subject = subjects.commandsPc("pp-race");
    const [older] = plan({ pcs: ["pp-race"] });
    const [newer] = plan({ pcs: ["pp-race"] });
    await jetStreamPublish(nats)(older!);

    // The newer exec is published right after the purge read the subject's last message.
    const realGet = nats.jsm.streams.getMessage.bind(nats.jsm.streams);
    const racyStreams = Object.assign(Object.create(nats.jsm.streams) as typeof nats.jsm.streams, {
      getMessage: async (...args: Parameters<typeof realGet>) => {
        const m = await realGet(...args);
        await jetStreamPublish(nats)(newer!);
        return m;
      },
    });
    const racy: Nats = { ...nats, jsm: Object.assign(Object.create(nats.jsm) as typeof nats.jsm, { streams: racyStreams }) };

    await purgeExecCommands(racy, older!.command.exec_id, { pcs: ["pp-race"] }, quietLog());
    expect(await lastExecOn(subject)).toBe(newer!.command.exec_id);
  });
});
