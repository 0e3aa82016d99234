import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, timeStep, totpAt } from "./totp.js";

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890"; 8-digit values.
const SEED = Buffer.from("12345678901234567890", "ascii");
const VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238)", () => {
  it("gives the RFC 6238 test vectors (SHA-1, 8 digits) and their 6-digit tails", () => {
    for (const [secs, expected] of VECTORS) {
      expect(hotp(SEED, timeStep(new Date(secs * 1000)), 8)).toBe(expected);
      expect(totpAt(base32Encode(SEED), new Date(secs * 1000))).toBe(expected.slice(2));
    }
  });

  it("round-trips base32 and reads it without case or padding", () => {
    expect(base32Encode(SEED)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(base32Decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq==").equals(SEED)).toBe(true);
    expect(() => base32Decode("not-base32!")).toThrow(/not base32/);
  });

  it("accepts a code one step either side of now, not two", () => {
    const secret = base32Encode(SEED);
    const now = new Date(1111111111 * 1000);
    const step = timeStep(now);
    expect(matchTotp(secret, totpAt(secret, now), now)).toBe(step);
    expect(matchTotp(secret, totpAt(secret, new Date(now.getTime() - 30_000)), now)).toBe(step - 1);
    expect(matchTotp(secret, totpAt(secret, new Date(now.getTime() + 30_000)), now)).toBe(step + 1);
    expect(matchTotp(secret, totpAt(secret, new Date(now.getTime() - 60_000)), now)).toBeUndefined();
    expect(matchTotp(secret, totpAt(secret, new Date(now.getTime() + 60_000)), now)).toBeUndefined();
    expect(matchTotp(secret, "000000", now)).toBeUndefined();
  });

  it("refuses a replayed step, and any step before the last one used", () => {
    const secret = base32Encode(SEED);
    const now = new Date(1234567890 * 1000);
    const used = matchTotp(secret, totpAt(secret, now), now);
    expect(used).toBe(timeStep(now));
    expect(matchTotp(secret, totpAt(secret, now), now, used)).toBeUndefined();
    expect(matchTotp(secret, totpAt(secret, new Date(now.getTime() - 30_000)), now, used)).toBeUndefined();
    expect(matchTotp(secret, totpAt(secret, new Date(now.getTime() + 30_000)), now, used)).toBe(timeStep(now) + 1);
  });

  it("builds the otpauth URI authenticator apps scan", () => {
    expect(otpauthUri("kanade", "alice@example", "ABC")).toBe(
      "otpauth://totp/kanade%3Aalice%40example?secret=ABC&issuer=kanade&algorithm=SHA1&digits=6&period=30",
    );
  });
});
