/**
 * A broker that is fully compromised (here: no auth at all, anyone publishes anything) still cannot make a PC
 * run code: the agent runs only commands signed by a key it trusts, for this subject and this PC, unexpired;
 * every refusal is reported as a skipped result (121). Kill messages must be signed too. Keys rotate through
 * signed key sets without re-enrolling.
 */
import { createPrivateKey, sign } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { BUCKETS, COMMAND_KEYS_KV_KEY, SKIP_EXIT, signedText, subjects, type CommandKeySet } from "@kanade/protocol";
import { openCommandSigner } from "@kanade/backend";
import { sleep, tempDir, testCommandKeys, waitFor, type TempDir } from "@kanade/testkit";
import { startAgent, type RunningAgent } from "@kanade/agent";
import { agentConfig, command, execIdOf, publishCommand, quietLog, useEnv, waitResult, waitStarted } from "./fleet-env.js";

const PC = "trust-pc";

describe("signed commands on a compromised broker", () => {
  const e = useEnv();
  let agent: RunningAgent;
  let work: TempDir;
  /** A script that leaves a file behind if it ever runs. */
  const trap = (name: string): Record<string, unknown> => command({ script: `touch "${join(work.path, name)}"` });
  const raw = async (subject: string, msg: Record<string, unknown>): Promise<void> => {
    await jetstream(e().nc).publish(subject, JSON.stringify(msg));
  };
  const refused = async (msg: Record<string, unknown>, file: string, reason: RegExp): Promise<void> => {
    const r = await waitResult(e(), execIdOf(msg), PC);
    expect(r).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.UNTRUSTED, started_at: null });
    expect(r.skip_reason).toMatch(reason);
    expect(existsSync(join(work.path, file))).toBe(false);
  };

  beforeAll(async () => {
    work = tempDir("kanade-trust-");
    agent = await startAgent(agentConfig(e(), PC), { log: quietLog });
  });
  afterAll(async () => {
    await agent?.stop();
    work?.remove();
  });

  it("runs a command the backend signed for this PC", async () => {
    const cmd = trap("signed");
    await publishCommand(e(), subjects.commandsPc(PC), cmd);
    expect(await waitResult(e(), execIdOf(cmd), PC)).toMatchObject({ status: "succeeded" });
    expect(existsSync(join(work.path, "signed"))).toBe(true);
  });

  it("refuses an unsigned command", async () => {
    const cmd = trap("unsigned");
    await raw(subjects.commandsPc(PC), cmd);
    await refused(cmd, "unsigned", /not signed/);
  });

  it("refuses a command signed with a key it does not trust", async () => {
    const other = tempDir("kanade-rogue-key-");
    try {
      const rogue = openCommandSigner(other.path);
      const cmd = { ...trap("rogue"), target: { kind: "pc", name: PC }, expires_at: new Date(Date.now() + 60_000).toISOString() };
      await raw(subjects.commandsPc(PC), { ...cmd, signature: rogue.sign("command", cmd) });
      await refused(cmd, "rogue", /does not trust/);
    } finally {
      other.remove();
    }
  });

  it("refuses a signed command whose script was changed on the way", async () => {
    const signed = testCommandKeys().signCommand(trap("tampered"), subjects.commandsPc(PC));
    const cmd = { ...signed, script: `${String(signed.script)}; echo extra` };
    await raw(subjects.commandsPc(PC), cmd);
    await refused(cmd, "tampered", /does not verify/);
  });

  it("refuses a command signed for another PC, and one signed for a group, replayed on this PC's subject", async () => {
    const forOther = testCommandKeys().signCommand(trap("other-pc"), subjects.commandsPc("someone-else"));
    await raw(subjects.commandsPc(PC), forOther);
    await refused(forOther, "other-pc", /issued for pc someone-else but arrived on commands\.pc\.trust-pc/);
    const forGroup = testCommandKeys().signCommand(trap("group"), subjects.commandsGroup("lab"));
    await raw(subjects.commandsAll(), forGroup);
    await refused(forGroup, "group", /issued for group lab but arrived on commands\.all/);
  });

  it("refuses a command whose signature expired", async () => {
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const cmd = testCommandKeys().signCommand({ ...trap("expired"), issued_at: old }, subjects.commandsPc(PC));
    await raw(subjects.commandsPc(PC), cmd);
    await refused(cmd, "expired", /expired/);
  });

  it("ignores an unsigned kill and obeys a signed one", async () => {
    const cmd = command({ script: "echo started; sleep 30" });
    await publishCommand(e(), subjects.commandsPc(PC), cmd);
    const execId = execIdOf(cmd);
    await waitStarted(e(), execId, PC);
    e().nc.publish(subjects.kill(execId), JSON.stringify({ exec_id: execId, issued_by: "mallory", issued_at: new Date().toISOString() }));
    await sleep(1_000);
    expect(await e().jsm.streams.getMessage("RESULTS", { last_by_subj: subjects.result(execId, PC) }).catch(() => null)).toBeNull();
    e().nc.publish(subjects.kill(execId), JSON.stringify(testCommandKeys().signKill({ exec_id: execId, issued_by: "ops", issued_at: new Date().toISOString() })));
    expect(await waitResult(e(), execId, PC)).toMatchObject({ status: "killed" });
  });
});

describe("command key rotation", () => {
  const e = useEnv();

  it("follows an added key and the retirement of the old one through signed key sets, without re-enrolling", async () => {
    const keysDir = tempDir("kanade-rotation-");
    const signer = openCommandSigner(keysDir.path);
    const kv = await new Kvm(e().nc).create(BUCKETS.fleetConfig);
    const publishSet = async (set: CommandKeySet): Promise<void> => void (await kv.put(COMMAND_KEYS_KV_KEY, JSON.stringify(set)));
    const forRotPc = (msg: Record<string, unknown>): Record<string, unknown> => ({
      ...msg,
      target: { kind: "pc", name: "rot-pc" },
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    const signed = (msg: Record<string, unknown>): Record<string, unknown> => {
      const unsigned = forRotPc(msg);
      return { ...unsigned, signature: signer.sign("command", unsigned) };
    };
    // Pinned as enrollment leaves them (configured keys, KANADE_COMMAND_KEYS, stay trusted whatever a set says).
    const cfg = { ...agentConfig(e(), "rot-pc"), commandKeys: [] };
    mkdirSync(join(cfg.dataDir, "state"), { recursive: true, mode: 0o700 });
    writeFileSync(join(cfg.dataDir, "state", "command-keys.json"), JSON.stringify({ sequence: 0, keys: signer.trusted() }), { mode: 0o600 });
    const agent = await startAgent(cfg, { log: quietLog });
    try {
      const oldKid = signer.trusted()[0]!.kid;
      signer.add(new Date());
      await publishSet(signer.keySet(new Date()));
      signer.retire(oldKid, new Date());
      await publishSet(signer.keySet(new Date()));
      // Signed by the new key only: runs once the agent followed the sets.
      await waitFor(
        async () => {
          const cmd = signed(command({ script: "echo rotated" }));
          await jetstream(e().nc).publish(subjects.commandsPc("rot-pc"), JSON.stringify(cmd));
          const r = await waitResult(e(), execIdOf(cmd), "rot-pc");
          return r.status === "succeeded";
        },
        { timeoutMs: 20_000, what: "a command signed by the new key to run" },
      );
      // A key set signed by nobody it trusts changes nothing.
      const rogueDir = tempDir("kanade-rogue-set-");
      const rogue = openCommandSigner(rogueDir.path);
      await publishSet({ ...rogue.keySet(new Date()), sequence: 99 });
      rogueDir.remove();
      await sleep(500);
      const stillOk = signed(command({ script: "echo still" }));
      await jetstream(e().nc).publish(subjects.commandsPc("rot-pc"), JSON.stringify(stillOk));
      expect(await waitResult(e(), execIdOf(stillOk), "rot-pc")).toMatchObject({ status: "succeeded" });
      // The retired key no longer counts, and the agent pinned the new set on disk.
      const old = createPrivateKey(readFileSync(join(keysDir.path, `${oldKid}.pem`), "utf8"));
      const byOld = forRotPc(command({ script: "echo old key" }));
      const oldSig = { kid: oldKid, sig: sign(null, Buffer.from(signedText("command", byOld)), old).toString("base64url") };
      await jetstream(e().nc).publish(subjects.commandsPc("rot-pc"), JSON.stringify({ ...byOld, signature: oldSig }));
      expect(await waitResult(e(), execIdOf(byOld), "rot-pc")).toMatchObject({ status: "skipped", exit_code: SKIP_EXIT.UNTRUSTED });
      const pinned = JSON.parse(readFileSync(join(cfg.dataDir, "state", "command-keys.json"), "utf8")) as { keys: { kid: string }[] };
      expect(pinned.keys.map((k) => k.kid)).toEqual(signer.trusted().map((k) => k.kid));
    } finally {
      await agent.stop();
      keysDir.remove();
    }
  });
});
