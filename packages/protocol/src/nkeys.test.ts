import { fromPublic, fromSeed } from "@nats-io/nkeys";
import { describe, expect, it } from "vitest";
import { createNkey, formatCreds, nkeyFromSeed, parseCreds, publicKeyKind, signNonce, verifyNkey } from "./nkeys.js";

describe("nkeys", () => {
  it("makes keys the NATS reference library reads, with the same public key and signatures it verifies", () => {
    for (const kind of ["operator", "account", "user"] as const) {
      const k = createNkey(kind);
      const ref = fromSeed(new TextEncoder().encode(k.seed));
      expect(ref.getPublicKey()).toBe(k.publicKey);
      expect(k.publicKey[0]).toBe({ operator: "O", account: "A", user: "U" }[kind]);
      expect(k.seed.slice(0, 2)).toBe({ operator: "SO", account: "SA", user: "SU" }[kind]);
      const data = new TextEncoder().encode("nonce-123");
      expect(fromPublic(k.publicKey).verify(data, k.sign(data))).toBe(true);
      expect(verifyNkey(k.publicKey, data, ref.sign(data))).toBe(true);
      expect(publicKeyKind(k.publicKey)).toBe(kind);
      expect(nkeyFromSeed(k.seed).publicKey).toBe(k.publicKey);
    }
  });

  it("refuses a damaged key", () => {
    const k = createNkey("user");
    const flipped = k.publicKey.slice(0, 10) + (k.publicKey[10] === "A" ? "B" : "A") + k.publicKey.slice(11);
    expect(publicKeyKind(flipped)).toBeUndefined();
    expect(publicKeyKind("*")).toBeUndefined();
    expect(() => nkeyFromSeed(k.publicKey)).toThrow(/seed/);
  });

  it("round-trips a creds file and signs a server nonce", () => {
    const k = createNkey("user");
    const { jwt, seed } = parseCreds(formatCreds("a.b.c", k.seed));
    expect(jwt).toBe("a.b.c");
    expect(seed).toBe(k.seed);
    expect(() => parseCreds("hello")).toThrow(/credentials/);
    const auth = signNonce(k, jwt, "abc");
    expect(verifyNkey(k.publicKey, Buffer.from("abc"), Buffer.from(auth.sig, "base64url"))).toBe(true);
  });
});
