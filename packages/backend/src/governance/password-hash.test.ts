import { describe, expect, it } from "vitest";
import { hashPassword, passwordMatches } from "./password-hash.js";

// Written by the earlier build's @node-rs/argon2 (its defaults, and one with other costs): accounts created
// before the switch to node:crypto must still sign in.
const NODE_RS_DEFAULT = "$argon2id$v=19$m=19456,t=2,p=1$myUbBwyF4zu8aBp5eDpk+Q$ykR0/pyok5C5bO0aYUmkAFap4tzuSyO+RapPJzrMUGg";
const NODE_RS_CUSTOM = "$argon2id$v=19$m=8192,t=3,p=2$lKcb3jHMQa8pTds8HBmo8Q$GlYCzRfiKY70irZm7ShD8lMsP5rjNJx5tp4s3lMuYrI";

describe("argon2id password hashes (node:crypto)", () => {
  it("verifies PHC hashes written by @node-rs/argon2, and refuses the wrong password", async () => {
    expect(await passwordMatches(NODE_RS_DEFAULT, "correct horse battery staple")).toBe(true);
    expect(await passwordMatches(NODE_RS_DEFAULT, "correct horse battery stapl")).toBe(false);
    expect(await passwordMatches(NODE_RS_CUSTOM, "パスワード-ünïcode")).toBe(true);
    expect(await passwordMatches(NODE_RS_CUSTOM, "パスワード-unicode")).toBe(false);
  });

  it("writes argon2id v=19 PHC strings with the OWASP baseline costs and a fresh salt", async () => {
    const a = await hashPassword("s3cret-passphrase");
    const b = await hashPassword("s3cret-passphrase");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await passwordMatches(a, "s3cret-passphrase")).toBe(true);
    expect(await passwordMatches(a, "s3cret-passphrasE")).toBe(false);
  });

  it("answers false, not an exception, for hashes it cannot read", async () => {
    for (const bad of ["", "plain", "$argon2i$v=19$m=19456,t=2,p=1$myUbBwyF4zu8aBp5eDpk+Q$ykR0/pyok5C5bO0aYUmkAFap4tzuSyO+RapPJzrMUGg",
      NODE_RS_DEFAULT.replace("v=19", "v=16")]) {
      expect(await passwordMatches(bad, "correct horse battery staple")).toBe(false);
    }
  });
});
