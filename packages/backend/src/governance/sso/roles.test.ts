import { describe, expect, it } from "vitest";
import { claimValues, roleFromClaims, usernameFromClaims } from "./roles.js";

const config = { roleClaim: "groups", roles: { ops: "operator", admins: "admin", help: "viewer" } } as const;

describe("role and username from the provider's claims", () => {
  it("gives the highest role any claim value maps to, and none when nothing maps", () => {
    expect(roleFromClaims({ groups: ["help", "admins", "other"] }, config)).toBe("admin");
    expect(roleFromClaims({ groups: ["help", "ops"] }, config)).toBe("operator");
    expect(roleFromClaims({ groups: ["other"] }, config)).toBeUndefined();
    expect(roleFromClaims({}, config)).toBeUndefined();
    // Inherited names of plain objects are not groups.
    expect(roleFromClaims({ groups: ["constructor", "toString"] }, config)).toBeUndefined();
  });

  it("reads lists, space- or comma-separated strings, and dotted paths into objects", () => {
    expect(claimValues({ roles: "a b,c" }, "roles")).toEqual(["a", "b", "c"]);
    expect(claimValues({ realm_access: { roles: ["x", 1, "y"] } }, "realm_access.roles")).toEqual(["x", "y"]);
    expect(claimValues({ groups: 7 }, "groups")).toEqual([]);
  });

  it("uses the username claim, else the e-mail, when it is a valid kanade username", () => {
    expect(usernameFromClaims({ preferred_username: "alice@corp.example" }, "preferred_username")).toBe("alice@corp.example");
    expect(usernameFromClaims({ preferred_username: "Alice Smith", email: "alice@example.com" }, "preferred_username")).toBe("alice@example.com");
    expect(usernameFromClaims({ preferred_username: "Alice Smith" }, "preferred_username")).toBeUndefined();
  });
});
