import { describe, expect, it } from "vitest";
import type { Identity } from "@kanade/protocol";
import { ApiError, toApiError, type ApiClient } from "../api/client.js";
import { approvalView, canOperate, endSession, loginProblem, passwordProblem, whoAmI } from "./auth.js";

const id = (actor: string, role: Identity["role"]): Identity => ({ actor, role, kind: "account", must_change_password: false });

/** A fake client answering GETs from a table; a missing path is a missing route. */
const fakeApi = (answers: Record<string, unknown>): ApiClient & { calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    get: async <T>(path: string): Promise<T> => {
      calls.push(path);
      const a = answers[path];
      if (a instanceof ApiError) throw a;
      if (a === undefined) throw toApiError(404, JSON.stringify({ error: { code: "NOT_FOUND", message: `No route GET ${path}` } }));
      return a as T;
    },
    getText: async () => "",
    send: async <T>(): Promise<T> => undefined as T,
  };
};

describe("endSession", () => {
  const sender = (answer: unknown): ApiClient & { sent: string[] } => {
    const sent: string[] = [];
    return {
      sent,
      get: async () => { throw new Error("no GET expected"); },
      getText: async () => "",
      send: async <T>(method: string, path: string): Promise<T> => {
        sent.push(`${method} ${path}`);
        if (answer instanceof ApiError) throw answer;
        return answer as T;
      },
    };
  };
  it("asks the backend to end the session", async () => {
    const api = sender({ ended: true });
    expect(await endSession(api)).toBe(true);
    expect(api.sent).toEqual(["POST /api/auth/logout"]);
  });
  it("reports a session it could not end (already ended, older backend) instead of failing the sign-out", async () => {
    expect(await endSession(sender(new ApiError(401, "UNAUTHORIZED", "Invalid token")))).toBe(false);
    expect(await endSession(sender(new ApiError(0, "NETWORK", "offline")))).toBe(false);
  });
});

describe("whoAmI", () => {
  it("returns the identity from /api/auth/me", async () => {
    const api = fakeApi({ "/api/auth/me": id("ada", "admin") });
    expect(await whoAmI(api)).toMatchObject({ actor: "ada", role: "admin" });
    expect(api.calls).toEqual(["/api/auth/me"]);
  });
  it("falls back to a plain read on a backend without the route, and the identity is unknown", async () => {
    const api = fakeApi({ "/api/agents?limit=1": { items: [], next_cursor: null } });
    expect(await whoAmI(api)).toBeNull();
    expect(api.calls).toEqual(["/api/auth/me", "/api/agents?limit=1"]);
  });
  it("passes a refused token on", async () => {
    const api = fakeApi({ "/api/auth/me": new ApiError(401, "UNAUTHORIZED", "Invalid token") });
    await expect(whoAmI(api)).rejects.toMatchObject({ status: 401 });
  });
});

describe("roles and approvals", () => {
  it("lets operators and admins change things, not viewers", () => {
    expect(canOperate(id("vera", "viewer"))).toBe(false);
    expect(canOperate(id("otto", "operator"))).toBe(true);
    expect(canOperate(id("ada", "admin"))).toBe(true);
    expect(canOperate(null)).toBe(true);
  });
  it("offers approve/reject only while pending, and flags the requester's own execution", () => {
    const pending = { state: "pending_approval" as const, issued_by: "otto" };
    expect(approvalView(pending, id("olga", "operator"))).toEqual({ pending: true, ownRequest: false, canDecide: true });
    expect(approvalView(pending, id("otto", "operator"))).toEqual({ pending: true, ownRequest: true, canDecide: true });
    expect(approvalView(pending, id("vera", "viewer")).canDecide).toBe(false);
    expect(approvalView({ state: "running", issued_by: "otto" }, id("olga", "operator"))).toEqual({ pending: false, ownRequest: false, canDecide: false });
  });
});

describe("sign-in messages", () => {
  it("explains wrong credentials and throttling, and leaves other errors as they are", () => {
    expect(loginProblem(new ApiError(401, "UNAUTHORIZED", "Wrong username or password"))).toEqual({ key: "signin.badCredentials" });
    expect(loginProblem(new ApiError(429, "RATE_LIMITED", "Too many failed logins; try again in 42s"))).toEqual({
      key: "signin.rateLimited",
      vars: { message: "Too many failed logins; try again in 42s" },
    });
    expect(loginProblem(new ApiError(0, "NETWORK", "down"))).toBeNull();
  });
  it("checks a password change before sending it", () => {
    expect(passwordProblem("", "long enough", "long enough")).toBe("password.needCurrent");
    expect(passwordProblem("old-password", "short", "short")).toBe("password.tooShort");
    expect(passwordProblem("old-password", "long enough", "long enuogh")).toBe("password.mismatch");
    expect(passwordProblem("old-password", "old-password", "old-password")).toBe("password.same");
    expect(passwordProblem("old-password", "new-password", "new-password")).toBeNull();
  });
});
