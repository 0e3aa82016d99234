import { describe, expect, it } from "vitest";
import { ApiError, type Identity } from "@kanade/protocol";
import { answerTable, type Answer } from "../api/answer-table.js";
import { createWebClient } from "../api/client.js";
import { approvalView, canOperate, endSession, loginProblem, passwordProblem, whoAmI } from "./auth.js";

const id = (actor: string, role: Identity["role"]): Identity => ({ actor, role, kind: "account", must_change_password: false });
const refused = (code: string, message: string, status: number): Answer => ({ status, body: { error: { code, message } } });

/** The web client over a table of backend answers. */
const backend = (answers: Record<string, Answer>) => {
  const t = answerTable(answers);
  return { api: createWebClient({ token: () => "tok", fetch: t.fetch }), asked: t.asked };
};

describe("whoAmI", () => {
  it("returns the identity from the backend", async () => {
    const b = backend({ "GET /api/auth/me": { status: 200, body: id("ada", "admin") } });
    expect(await whoAmI(b.api)).toMatchObject({ actor: "ada", role: "admin" });
    expect(b.asked).toEqual(["GET /api/auth/me as tok"]);
  });
  it("passes a refused token on as UNAUTHORIZED", async () => {
    const b = backend({ "GET /api/auth/me": refused("UNAUTHORIZED", "Invalid token", 401) });
    await expect(whoAmI(b.api)).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
  });
});

describe("endSession", () => {
  it("asks the backend to end the session", async () => {
    const b = backend({ "POST /api/auth/logout": { status: 200, body: { ended: true } } });
    expect(await endSession(b.api)).toBe(true);
    expect(b.asked).toEqual(["POST /api/auth/logout as tok"]);
  });
  it("reports a session it could not end (already ended, no such route) instead of failing the sign-out", async () => {
    expect(await endSession(backend({ "POST /api/auth/logout": refused("UNAUTHORIZED", "Invalid token", 401) }).api)).toBe(false);
    expect(await endSession(backend({}).api)).toBe(false);
  });
});

describe("roles and approvals", () => {
  it("lets operators and admins change things, not viewers", () => {
    expect(canOperate(id("vera", "viewer"))).toBe(false);
    expect(canOperate(id("otto", "operator"))).toBe(true);
    expect(canOperate(id("ada", "admin"))).toBe(true);
  });
  it("offers approve/reject only while pending, to another operator, and says why not otherwise", () => {
    const pending = { state: "pending_approval" as const, issued_by: "otto" };
    expect(approvalView(pending, id("olga", "operator"))).toEqual({ pending: true, ownRequest: false, canDecide: true });
    expect(approvalView(pending, id("otto", "operator"))).toEqual({ pending: true, ownRequest: true, canDecide: false, blocked: "own" });
    expect(approvalView(pending, id("vera", "viewer"))).toMatchObject({ canDecide: false, blocked: "role" });
    expect(approvalView({ state: "running", issued_by: "otto" }, id("olga", "operator"))).toEqual({ pending: false, ownRequest: false, canDecide: false });
  });
  it("says that nobody can decide on a backend with auth off, where the requester is anonymous too", () => {
    const anonymous: Identity = { actor: "anonymous", role: "admin", kind: "anonymous", must_change_password: false };
    expect(approvalView({ state: "pending_approval", issued_by: "anonymous" }, anonymous)).toMatchObject({ canDecide: false, blocked: "authOff" });
  });
});

describe("sign-in messages", () => {
  it("explains wrong credentials and throttling, and leaves other errors as they are", () => {
    expect(loginProblem(new ApiError("UNAUTHORIZED", "Wrong username or password", { status: 401 }))).toEqual({ key: "signin.badCredentials" });
    expect(loginProblem(new ApiError("RATE_LIMITED", "Too many failed logins; try again in 42s", { status: 429 }))).toEqual({
      key: "signin.rateLimited",
      vars: { message: "Too many failed logins; try again in 42s" },
    });
    expect(loginProblem(new ApiError("NETWORK", "down"))).toBeNull();
  });
  it("checks a password change before sending it", () => {
    expect(passwordProblem("", "long enough", "long enough")).toBe("password.needCurrent");
    expect(passwordProblem("old-password", "short", "short")).toBe("password.tooShort");
    expect(passwordProblem("old-password", "long enough", "long enuogh")).toBe("password.mismatch");
    expect(passwordProblem("old-password", "old-password", "old-password")).toBe("password.same");
    expect(passwordProblem("old-password", "new-password", "new-password")).toBeNull();
  });
});
