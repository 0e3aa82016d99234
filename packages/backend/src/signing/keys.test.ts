import { createPublicKey, verify } from "node:crypto";
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { signedText, type CommandKey, type Signature } from "@kanade/protocol";
import { tempDir } from "@kanade/testkit";
import { openCommandSigner } from "./keys.js";

const verifies = (keys: readonly CommandKey[], text: string, s: Signature): boolean => {
  const k = keys.find((x) => x.kid === s.kid);
  if (!k) return false;
  const pub = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: k.public_key }, format: "jwk" });
  return verify(null, Buffer.from(text, "utf8"), pub, Buffer.from(s.sig, "base64url"));
};

describe("command signing keys", () => {
  it("makes one active key, 0600 in a 0700 directory, and signs with it over the domain-tagged text", () => {
    const dir = tempDir("kanade-keys-");
    try {
      const signer = openCommandSigner(dir.join("keys"));
      const [key] = signer.trusted();
      expect(signer.list()).toMatchObject([{ kid: key!.kid, status: "active" }]);
      expect(statSync(dir.join("keys")).mode & 0o777).toBe(0o700);
      expect(statSync(dir.join(`keys/${key!.kid}.pem`)).mode & 0o777).toBe(0o600);
      const msg = { exec_id: "e", script: "echo hi" };
      const sig = signer.sign("command", msg);
      expect(verifies([key!], signedText("command", msg), sig)).toBe(true);
      // The same bytes under another kind, or changed content, do not verify.
      expect(verifies([key!], signedText("kill", msg), sig)).toBe(false);
      expect(verifies([key!], signedText("command", { ...msg, script: "rm -rf /" }), sig)).toBe(false);
      // Reopening finds the same key.
      expect(openCommandSigner(dir.join("keys")).trusted()).toEqual([key]);
    } finally {
      dir.remove();
    }
  });

  it("rotates without a gap: add a key, retire the old one; each key set is signed by keys an agent already trusts", () => {
    const dir = tempDir("kanade-keys-");
    try {
      const signer = openCommandSigner(dir.path);
      const [old] = signer.trusted();
      const now = new Date("2026-01-01T00:00:00Z");
      const added = signer.add(now);
      expect(signer.list().map((k) => k.status)).toEqual(["active", "next"]);
      // Still signing with the old key until it is retired: agents may not have the new one yet.
      expect(signer.sign("command", {}).kid).toBe(old!.kid);
      const during = signer.keySet(now);
      expect(during.keys.map((k) => k.kid)).toEqual([old!.kid, added.kid]);
      expect(during.signatures.some((s) => verifies([old!], signedText("commandKeys", during), s))).toBe(true);

      signer.retire(old!.kid, now);
      expect(signer.sign("command", {}).kid).toBe(added.kid);
      const after = signer.keySet(now);
      expect(after.sequence).toBeGreaterThan(during.sequence);
      expect(after.keys.map((k) => k.kid)).toEqual([added.kid]);
      // An agent that only ever trusted the old key still accepts the set that retires it.
      expect(after.signatures.some((s) => verifies([old!], signedText("commandKeys", after), s))).toBe(true);
      expect(() => signer.retire(added.kid, now)).toThrow(/Add a new command key/);
    } finally {
      dir.remove();
    }
  });
});
