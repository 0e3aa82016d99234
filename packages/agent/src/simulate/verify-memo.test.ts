import { describe, expect, it } from "vitest";
import { signatureSchema, type CommandKey } from "@kanade/protocol/wire";
import { testCommandKeys } from "@kanade/testkit";
import { verifySignature, type SignatureCheck } from "../trust/verify.js";
import { memoizedSignatureCheck } from "./verify-memo.js";

const keys = testCommandKeys();
const signed = keys.signCommand({ exec_id: "e1", job_id: "j", script: "echo hi" }, "commands.all");
const sig = signatureSchema.parse(signed.signature);

/** The real check, counting how often it runs. */
function counted(): { check: SignatureCheck; calls: () => number } {
  let n = 0;
  return { check: (...args) => (n++, verifySignature(...args)), calls: () => n };
}

describe("the simulator's memoized signature check", () => {
  it("verifies a command once for the whole fleet", () => {
    const real = counted();
    const check = memoizedSignatureCheck(real.check);
    // Each simulated PC parses its own copy of the message.
    for (let i = 0; i < 100; i++) expect(check(keys.keys, "command", structuredClone(signed), sig)).toBe(true);
    expect(real.calls()).toBe(1);
  });

  it("still refuses an altered command, another key and a forged signature carrying a remembered one", () => {
    const real = counted();
    const check = memoizedSignatureCheck(real.check);
    expect(check(keys.keys, "command", signed, sig)).toBe(true);
    expect(check(keys.keys, "command", { ...signed, script: "rm -rf /" }, sig)).toBe(false);
    const impostor: CommandKey[] = keys.keys.map((k) => ({ ...k, public_key: `${k.public_key.slice(0, 16)}${"A".repeat(k.public_key.length - 16)}` }));
    expect(check(impostor, "command", signed, sig)).toBe(false);
    expect(check(keys.keys, "command", signed, { ...sig, sig: sig.sig.replace(/^./, (c) => (c === "A" ? "B" : "A")) })).toBe(false);
    expect(check(keys.keys, "kill", signed, sig)).toBe(false);
    expect(check([], "command", signed, sig)).toBe(false);
    // Refusals are not remembered: each was checked for real.
    expect(real.calls()).toBe(5);
  });

  it("remembers a verified frozen message (the decode memo's) on the object, and still refuses another key or signature for it", () => {
    const real = counted();
    const check = memoizedSignatureCheck(real.check);
    const shared = Object.freeze(structuredClone(signed));
    for (let i = 0; i < 100; i++) expect(check(keys.keys, "command", shared, sig)).toBe(true);
    expect(real.calls()).toBe(1);
    const impostor: CommandKey[] = keys.keys.map((k) => ({ ...k, public_key: `${k.public_key.slice(0, 16)}${"A".repeat(k.public_key.length - 16)}` }));
    expect(check(impostor, "command", shared, sig)).toBe(false);
    expect(check(keys.keys, "command", shared, { ...sig, sig: sig.sig.replace(/^./, (c) => (c === "A" ? "B" : "A")) })).toBe(false);
    expect(check(keys.keys, "kill", shared, sig)).toBe(false);
    expect(check(keys.keys, "command", Object.freeze({ ...signed, script: "rm -rf /" }), sig)).toBe(false);
    expect(real.calls()).toBe(5);
  });
});
