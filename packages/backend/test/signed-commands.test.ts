/** Every command and kill the backend sends is signed; the signature binds content, target and expiry. */
import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import {
  BUCKETS,
  COMMAND_KEYS_KV_KEY,
  STREAMS,
  commandKeySetSchema,
  commandSchema,
  killMessageSchema,
  signedText,
  subjects,
  type CommandKey,
  type SignedKind,
} from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { HELLO_YAML, useBackendEnv } from "./helpers.js";

const verifies = (keys: readonly CommandKey[], kind: SignedKind, raw: Record<string, unknown>): boolean => {
  const s = raw.signature as { kid: string; sig: string } | undefined;
  const k = keys.find((x) => x.kid === s?.kid);
  if (!s || !k) return false;
  const pub = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: k.public_key }, format: "jwk" });
  return verify(null, Buffer.from(signedText(kind, raw), "utf8"), pub, Buffer.from(s.sig, "base64url"));
};

describe("signed commands", () => {
  const env = useBackendEnv();

  it("publishes its command keys, and signs each command for its own subject with an expiry, and each kill", async () => {
    const kv = await new Kvm(env().nc).open(BUCKETS.fleetConfig);
    const set = commandKeySetSchema.parse((await kv.get(COMMAND_KEYS_KV_KEY))!.json());
    expect(set.keys).toHaveLength(1);
    const text = signedText("commandKeys", set as unknown as Record<string, unknown>);
    const pub = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: set.keys[0]!.public_key }, format: "jwk" });
    expect(verify(null, Buffer.from(text), pub, Buffer.from(set.signatures[0]!.sig, "base64url"))).toBe(true);

    expect((await env().backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
    const r = await env().backend.api("POST", "/api/exec/hello", { pcs: ["sig-pc"], groups: ["sig-lab"] });
    const execId = (r.body as { exec_id: string }).exec_id;
    const jsm = await jetstreamManager(env().nc);
    for (const [subject, target] of [
      [subjects.commandsPc("sig-pc"), { kind: "pc", name: "sig-pc" }],
      [subjects.commandsGroup("sig-lab"), { kind: "group", name: "sig-lab" }],
    ] as const) {
      const raw = (await jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subject }))!.json<Record<string, unknown>>();
      const cmd = commandSchema.parse(raw);
      expect(cmd).toMatchObject({ exec_id: execId, target });
      expect(Date.parse(cmd.expires_at!) - Date.parse(cmd.issued_at)).toBe(7 * 86_400_000);
      expect(verifies(set.keys, "command", raw)).toBe(true);
      // Any change — here the target, as a replay for another PC would need — breaks it.
      expect(verifies(set.keys, "command", { ...raw, target: { kind: "pc", name: "other-pc" } })).toBe(false);
    }

    const kills: Record<string, unknown>[] = [];
    const sub = env().nc.subscribe(subjects.kill(execId), { callback: (_e, m) => void kills.push(m.json()) });
    await env().nc.flush();
    expect((await env().backend.api("POST", `/api/executions/${execId}/kill`)).status).toBe(202);
    await waitFor(() => kills.length === 1, { what: "the kill message" });
    sub.unsubscribe();
    const kill = killMessageSchema.parse(kills[0]);
    expect(Date.parse(kill.expires_at!) - Date.parse(kill.issued_at)).toBe(10 * 60_000);
    expect(verifies(set.keys, "kill", kills[0]!)).toBe(true);
  });
});
