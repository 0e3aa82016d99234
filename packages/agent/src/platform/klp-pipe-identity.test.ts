import { describe, expect, it } from "vitest";
import { klpUserSchema } from "@kanade/protocol/klp";
import { klpUserFromSid, sidToString } from "./klp-pipe-identity.js";

const sid = (authority: number, ...subs: number[]): Uint8Array => {
  const b = new Uint8Array(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b[7] = authority;
  const v = new DataView(b.buffer);
  subs.forEach((s, i) => v.setUint32(8 + 4 * i, s, true));
  return b;
};

describe("Windows pipe identity (pure part)", () => {
  it("formats binary SIDs as Windows does", () => {
    expect(sidToString(sid(5, 18))).toBe("S-1-5-18");
    expect(sidToString(sid(5, 21, 3623811015, 3361044348, 30300820, 1013))).toBe("S-1-5-21-3623811015-3361044348-30300820-1013");
    expect(sidToString(sid(1, 0))).toBe("S-1-1-0");
  });

  it("refuses bytes that are not a SID", () => {
    expect(sidToString(new Uint8Array([2, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]))).toBeUndefined();
    expect(sidToString(new Uint8Array([1, 3, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0]))).toBeUndefined();
    expect(sidToString(new Uint8Array([1]))).toBeUndefined();
  });

  it("names a user by SID and refuses anonymous and service tokens", () => {
    const user = klpUserFromSid("S-1-5-21-1-2-3-1001");
    expect(user).toBe("sid:S-1-5-21-1-2-3-1001");
    expect(klpUserSchema.safeParse(user).success).toBe(true);
    for (const s of ["S-1-5-7", "S-1-5-19", "S-1-5-20", "not-a-sid", undefined]) expect(klpUserFromSid(s)).toBeUndefined();
  });
});
