import { describe, expect, it } from "vitest";
import { accessFor } from "./policy.js";

describe("route policy", () => {
  it("defaults by method, protects accounts and metrics, and keeps login public", () => {
    expect(accessFor("GET", "/api/jobs")).toBe("viewer");
    expect(accessFor("POST", "/api/jobs")).toBe("operator");
    expect(accessFor("DELETE", "/api/some/new/route")).toBe("operator");
    expect(accessFor("GET", "/api/accounts")).toBe("admin");
    expect(accessFor("PATCH", "/api/accounts/:username")).toBe("admin");
    expect(accessFor("GET", "/metrics")).toBe("viewer");
    expect(accessFor("POST", "/api/auth/login")).toBe("public");
    expect(accessFor("POST", "/api/auth/password")).toBe("viewer");
    expect(accessFor("POST", "/api/auth/logout")).toBe("viewer");
    expect(accessFor("GET", "/api/version")).toBe("public");
    expect(accessFor("GET", "/health")).toBe("public");
    expect(accessFor("GET", "/")).toBe("public");
  });

  it("keeps raw KV writes for admins while anyone may read", () => {
    expect(accessFor("GET", "/api/jetstream/kv/:bucket/:key")).toBe("viewer");
    expect(accessFor("PUT", "/api/jetstream/kv/:bucket/:key")).toBe("admin");
    expect(accessFor("DELETE", "/api/jetstream/kv/:bucket/:key")).toBe("admin");
    expect(accessFor("GET", "/api/jetstream/objects/:store")).toBe("viewer");
  });
});
