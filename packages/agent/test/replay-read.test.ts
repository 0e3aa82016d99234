/**
 * How a starting agent reads the commands it missed from EXEC: by direct get where the stream allows it, with no
 * stream-info request per PC (a fleet reconnecting at once would send the broker one each), and through the
 * stream API where it does not (a stream made by an older backend).
 */
import { describe, expect, it } from "vitest";
import { STREAMS, subjects } from "@kanade/protocol";
import { command, execIdOf, publishCommand, runAgent, useEnv, waitResult } from "./fleet-env.js";

const e = useEnv();

/** Runs an agent that missed one command on its own subject; returns what it asked the JetStream API about EXEC. */
async function replayOnce(pcId: string): Promise<string[]> {
  const asked: string[] = [];
  const sub = e().nc.subscribe("$JS.API.>", { callback: (_err, msg) => void (msg.subject.includes(STREAMS.EXEC) && asked.push(msg.subject)) });
  await e().nc.flush();
  const cmd = command({ script: `echo missed by ${pcId}` });
  await publishCommand(e(), subjects.commandsPc(pcId), cmd);
  const agent = await runAgent(e(), pcId);
  try {
    expect((await waitResult(e(), execIdOf(cmd), pcId)).stdout).toBe(`missed by ${pcId}\n`);
    return asked;
  } finally {
    sub.unsubscribe();
    await agent.stop();
  }
}

describe("replay of missed commands", () => {
  it("reads by direct get, and never asks for the stream's info, when EXEC allows direct get", async () => {
    expect((await e().jsm.streams.info(STREAMS.EXEC)).config.allow_direct).toBe(true);
    const asked = await replayOnce("direct-pc");
    expect(asked.sort()).toEqual([subjects.commandsAll(), subjects.commandsPc("direct-pc")].map((s) => `$JS.API.DIRECT.GET.${STREAMS.EXEC}.${s}`).sort());
  });

  it("reads through the stream API when EXEC serves no direct get (a stream made by an older backend)", async () => {
    const config = (await e().jsm.streams.info(STREAMS.EXEC)).config;
    await e().jsm.streams.update(STREAMS.EXEC, { ...config, allow_direct: false });
    expect((await e().jsm.streams.info(STREAMS.EXEC)).config.allow_direct ?? false).toBe(false);
    const asked = await replayOnce("old-stream-pc");
    // One direct get goes unanswered; the stream's config says why, and every subject is read through the stream API.
    expect(asked).toEqual([
      `$JS.API.DIRECT.GET.${STREAMS.EXEC}.${subjects.commandsPc("old-stream-pc")}`,
      `$JS.API.STREAM.INFO.${STREAMS.EXEC}`,
      `$JS.API.STREAM.MSG.GET.${STREAMS.EXEC}`,
      `$JS.API.STREAM.MSG.GET.${STREAMS.EXEC}`,
    ]);
  }, 30_000);
});
