import { describe, expect, it } from "vitest";
import { decodeCommand, type DecodedCommand } from "../intake.js";
import { memoizedCommandDecode } from "./decode-memo.js";

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const command = {
  request_id: "0190f0f0-0000-7000-8000-000000000001",
  exec_id: "0190f0f0-0000-7000-8000-000000000002",
  job_id: "j",
  version: "1.0.0",
  shell: "sh",
  script: "echo hi",
  timeout_secs: 60,
  issued_at: "2026-01-01T00:00:00.000Z",
  issued_by: "otto",
};

describe("the simulator's shared command decoding", () => {
  it("decodes each distinct message once and hands every PC the same frozen result", () => {
    let calls = 0;
    const decode = memoizedCommandDecode((d) => (calls++, decodeCommand(d)));
    const results = Array.from({ length: 50 }, () => decode(enc(command)));
    expect(calls).toBe(1);
    const first = results[0] as Extract<DecodedCommand, { ok: true }>;
    expect(first.ok).toBe(true);
    expect(results.every((r) => r === first)).toBe(true);
    expect(Object.isFrozen(first.cmd) && Object.isFrozen(first.raw)).toBe(true);
    expect(() => {
      (first.cmd as { script?: string }).script = "rm -rf /";
    }).toThrow(TypeError);
    // Other bytes are decoded on their own, bad ones refused exactly as a real agent refuses them.
    expect(decode(enc({ ...command, script: "echo other" }))).toMatchObject({ ok: true, cmd: { script: "echo other" } });
    expect(decode(enc("{nope"))).toEqual(decodeCommand(enc("{nope")));
    expect(decode(enc({ ...command, shell: "zsh" }))).toMatchObject({ ok: false, reason: expect.stringContaining("shell") });
    expect(calls).toBe(4);
  });

  it("keys on the bytes, not on a view the connection may reuse", () => {
    let calls = 0;
    const decode = memoizedCommandDecode((d) => (calls++, decodeCommand(d)));
    const one = enc(command);
    const other = enc({ ...command, script: "echo other" });
    // Both messages at the same place in one reused read buffer, one after the other.
    const buf = new Uint8Array(Math.max(one.length, other.length) + 20);
    buf.set(one, 10);
    expect(decode(buf.subarray(10, 10 + one.length))).toMatchObject({ ok: true, cmd: { script: "echo hi" } });
    buf.fill(0).set(other, 10);
    expect(decode(buf.subarray(10, 10 + other.length))).toMatchObject({ ok: true, cmd: { script: "echo other" } });
    buf.fill(0).set(one, 10);
    expect(decode(buf.subarray(10, 10 + one.length))).toMatchObject({ ok: true, cmd: { script: "echo hi" } });
    expect(calls).toBe(2);
  });
});
