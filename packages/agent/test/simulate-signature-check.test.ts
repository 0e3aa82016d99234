import { afterAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import { SKIP_EXIT, subjects } from "@kanade/protocol";
import { testCommandKeys } from "@kanade/testkit";
import { startSimulatedFleet, type SimulatedFleet } from "@kanade/agent";
import { command, execIdOf, quietLog, useEnv, waitResult } from "./fleet-env.js";

// `--signature-check` exists to measure what signing costs (bench:auth): `each` must refuse a forgery as
// the real agent does, and only `off` may let it through (the simulator runs nothing but its echo).
const e = useEnv();
const fleets: SimulatedFleet[] = [];
afterAll(async () => {
  for (const f of fleets) await f.stop();
});

/** A command signed for one script, then altered to say another. */
async function publishForgery(pc: string, script: string): Promise<string> {
  const subject = subjects.commandsPc(pc);
  const signed = testCommandKeys().signCommand(command({ script: "echo signed" }), subject);
  await jetstream(e().nc).publish(subject, JSON.stringify({ ...signed, script }));
  return execIdOf(signed);
}

describe("simulate --signature-check", () => {
  for (const [mode, expected] of [
    ["memo", ["skipped", SKIP_EXIT.UNTRUSTED]],
    ["each", ["skipped", SKIP_EXIT.UNTRUSTED]],
    ["off", ["succeeded", 0]],
  ] as const) {
    it(`${mode}: a forged command ends ${expected[0]}`, async () => {
      const prefix = `sig${mode}-`;
      const fleet = await startSimulatedFleet({ count: 1, natsUrl: e().server.url, prefix, dataDir: "/nonexistent", log: quietLog, commandKeys: testCommandKeys().keys, signatureCheck: mode });
      fleets.push(fleet);
      const pc = fleet.pcIds[0]!;
      const genuine = testCommandKeys().signCommand(command({ script: "echo genuine" }), subjects.commandsPc(pc));
      await jetstream(e().nc).publish(subjects.commandsPc(pc), JSON.stringify(genuine));
      expect((await waitResult(e(), execIdOf(genuine), pc)).status).toBe("succeeded");
      const forged = await publishForgery(pc, "echo forged");
      const r = await waitResult(e(), forged, pc);
      expect([r.status, r.exit_code]).toEqual(expected);
    });
  }
});
